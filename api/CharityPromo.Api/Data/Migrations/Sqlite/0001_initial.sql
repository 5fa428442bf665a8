-- 0001: the initial schema, generated from the EF model with Database.GenerateCreateScript().
-- Never edit an applied migration: add 0002_….sql. MigrationTests checks scripts and model agree.
CREATE TABLE "ApiKeys" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_ApiKeys" PRIMARY KEY,
    "Name" TEXT NOT NULL,
    "Hash" TEXT NOT NULL,
    "Prefix" TEXT NOT NULL,
    "Scopes" TEXT NOT NULL,
    "CreatedUtc" TEXT NOT NULL,
    "RevokedUtc" TEXT NULL
);

CREATE TABLE "Campaigns" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Campaigns" PRIMARY KEY,
    "Slug" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Description" TEXT NOT NULL,
    "Currency" TEXT NOT NULL,
    "Goal" INTEGER NOT NULL,
    "StartsUtc" TEXT NOT NULL,
    "EndsUtc" TEXT NOT NULL,
    "PercentBps" INTEGER NULL,
    "FixedAmount" INTEGER NULL,
    "CapPerPurchase" INTEGER NULL,
    "RoundUp" INTEGER NOT NULL,
    "AddOn" INTEGER NOT NULL,
    "MatchMinPriorPurchases" INTEGER NULL,
    "MatchPercentBps" INTEGER NULL,
    "MatchBudget" INTEGER NULL,
    "MatchUsed" INTEGER NOT NULL,
    "CreatedUtc" TEXT NOT NULL,
    "UpdatedUtc" TEXT NOT NULL
);

CREATE TABLE "CampaignTotals" (
    "CampaignId" TEXT NOT NULL,
    "CharityId" TEXT NOT NULL,
    "Currency" TEXT NOT NULL,
    "Pending" INTEGER NOT NULL,
    "Confirmed" INTEGER NOT NULL,
    "Reversed" INTEGER NOT NULL,
    "Purchases" INTEGER NOT NULL,
    CONSTRAINT "PK_CampaignTotals" PRIMARY KEY ("CampaignId", "CharityId", "Currency")
);

CREATE TABLE "Charities" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Charities" PRIMARY KEY,
    "Slug" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Description" TEXT NOT NULL,
    "Website" TEXT NULL,
    "RegistrationNumber" TEXT NULL,
    "CreatedUtc" TEXT NOT NULL,
    "UpdatedUtc" TEXT NOT NULL
);

CREATE TABLE "DailyTotals" (
    "CampaignId" TEXT NOT NULL,
    "Day" TEXT NOT NULL,
    "Confirmed" INTEGER NOT NULL,
    "Reversed" INTEGER NOT NULL,
    "Purchases" INTEGER NOT NULL,
    CONSTRAINT "PK_DailyTotals" PRIMARY KEY ("CampaignId", "Day")
);

CREATE TABLE "IdempotencyRecords" (
    "ClientId" TEXT NOT NULL,
    "Key" TEXT NOT NULL,
    "Fingerprint" TEXT NOT NULL,
    "StatusCode" INTEGER NOT NULL,
    "ContentType" TEXT NULL,
    "Location" TEXT NULL,
    "Body" BLOB NOT NULL,
    "CreatedUtc" TEXT NOT NULL,
    CONSTRAINT "PK_IdempotencyRecords" PRIMARY KEY ("ClientId", "Key")
);

CREATE TABLE "ServerSecrets" (
    "Name" TEXT NOT NULL CONSTRAINT "PK_ServerSecrets" PRIMARY KEY,
    "Value" BLOB NOT NULL,
    "CreatedUtc" TEXT NOT NULL
);

CREATE TABLE "CampaignCharities" (
    "CampaignId" TEXT NOT NULL,
    "CharityId" TEXT NOT NULL,
    "Position" INTEGER NOT NULL,
    CONSTRAINT "PK_CampaignCharities" PRIMARY KEY ("CampaignId", "CharityId"),
    CONSTRAINT "FK_CampaignCharities_Campaigns_CampaignId" FOREIGN KEY ("CampaignId") REFERENCES "Campaigns" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_CampaignCharities_Charities_CharityId" FOREIGN KEY ("CharityId") REFERENCES "Charities" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "Purchases" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Purchases" PRIMARY KEY,
    "ClientId" TEXT NOT NULL,
    "OrderId" TEXT NOT NULL,
    "ReceiptCode" TEXT NOT NULL,
    "CampaignId" TEXT NOT NULL,
    "CharityId" TEXT NOT NULL,
    "Currency" TEXT NOT NULL,
    "Amount" INTEGER NOT NULL,
    "MerchantPledge" INTEGER NOT NULL,
    "Match" INTEGER NOT NULL,
    "RoundUp" INTEGER NOT NULL,
    "AddOn" INTEGER NOT NULL,
    "DonationTotal" INTEGER NOT NULL,
    "Refunded" INTEGER NOT NULL,
    "Reversed" INTEGER NOT NULL,
    "Status" TEXT NOT NULL,
    "CustomerHash" TEXT NULL,
    "PaymentMethod" TEXT NOT NULL,
    "PaymentReference" TEXT NULL,
    "CreatedUtc" TEXT NOT NULL,
    "ConfirmedUtc" TEXT NULL,
    CONSTRAINT "FK_Purchases_Campaigns_CampaignId" FOREIGN KEY ("CampaignId") REFERENCES "Campaigns" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Purchases_Charities_CharityId" FOREIGN KEY ("CharityId") REFERENCES "Charities" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "Ledger" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Ledger" PRIMARY KEY,
    "PurchaseId" TEXT NOT NULL,
    "CampaignId" TEXT NOT NULL,
    "CharityId" TEXT NOT NULL,
    "Currency" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "MerchantPledge" INTEGER NOT NULL,
    "Match" INTEGER NOT NULL,
    "RoundUp" INTEGER NOT NULL,
    "AddOn" INTEGER NOT NULL,
    "Amount" INTEGER NOT NULL,
    "Cause" TEXT NOT NULL,
    "Reference" TEXT NULL,
    "CreatedUtc" TEXT NOT NULL,
    CONSTRAINT "FK_Ledger_Purchases_PurchaseId" FOREIGN KEY ("PurchaseId") REFERENCES "Purchases" ("Id") ON DELETE RESTRICT
);

CREATE UNIQUE INDEX "IX_ApiKeys_Hash" ON "ApiKeys" ("Hash");

CREATE UNIQUE INDEX "IX_ApiKeys_Name" ON "ApiKeys" ("Name");

CREATE INDEX "IX_CampaignCharities_CharityId" ON "CampaignCharities" ("CharityId");

CREATE UNIQUE INDEX "IX_Campaigns_Slug" ON "Campaigns" ("Slug");

CREATE UNIQUE INDEX "IX_Charities_Slug" ON "Charities" ("Slug");

CREATE INDEX "IX_Ledger_CampaignId_CharityId_Currency" ON "Ledger" ("CampaignId", "CharityId", "Currency");

CREATE UNIQUE INDEX "IX_Ledger_PurchaseId_Kind_Cause" ON "Ledger" ("PurchaseId", "Kind", "Cause");

CREATE INDEX "IX_Purchases_CampaignId_CreatedUtc" ON "Purchases" ("CampaignId", "CreatedUtc");

CREATE INDEX "IX_Purchases_CharityId" ON "Purchases" ("CharityId");

CREATE UNIQUE INDEX "IX_Purchases_ClientId_OrderId" ON "Purchases" ("ClientId", "OrderId");

CREATE INDEX "IX_Purchases_CustomerHash_Status" ON "Purchases" ("CustomerHash", "Status");

CREATE UNIQUE INDEX "IX_Purchases_ReceiptCode" ON "Purchases" ("ReceiptCode");
