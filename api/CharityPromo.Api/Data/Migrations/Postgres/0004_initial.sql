-- PostgreSQL starts at the schema SQLite reached with 0004 (generated from the EF model, then kept by hand);
-- later migrations come in pairs, one per provider, with the same version name.
CREATE TABLE "ApiKeys" (
    "Id" uuid NOT NULL,
    "Name" character varying(200) NOT NULL,
    "Hash" character varying(64) NOT NULL,
    "Prefix" character varying(16) NOT NULL,
    "Scopes" character varying(64) NOT NULL,
    "CreatedUtc" timestamp with time zone NOT NULL,
    "RevokedUtc" timestamp with time zone,
    CONSTRAINT "PK_ApiKeys" PRIMARY KEY ("Id")
);


CREATE TABLE "Campaigns" (
    "Id" uuid NOT NULL,
    "Slug" character varying(64) NOT NULL,
    "Name" character varying(200) NOT NULL,
    "Description" character varying(4000) NOT NULL,
    "Currency" character varying(3) NOT NULL,
    "Goal" bigint NOT NULL,
    "StartsUtc" timestamp with time zone NOT NULL,
    "EndsUtc" timestamp with time zone NOT NULL,
    "PercentBps" integer,
    "FixedAmount" bigint,
    "CapPerPurchase" bigint,
    "RoundUp" boolean NOT NULL,
    "AddOn" boolean NOT NULL,
    "MatchMinPriorPurchases" integer,
    "MatchPercentBps" integer,
    "MatchBudget" bigint,
    "MatchUsed" bigint NOT NULL,
    "CreatedUtc" timestamp with time zone NOT NULL,
    "UpdatedUtc" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_Campaigns" PRIMARY KEY ("Id")
);


CREATE TABLE "CampaignTotals" (
    "CampaignId" uuid NOT NULL,
    "CharityId" uuid NOT NULL,
    "Currency" character varying(3) NOT NULL,
    "Pending" bigint NOT NULL,
    "Confirmed" bigint NOT NULL,
    "Reversed" bigint NOT NULL,
    "Purchases" bigint NOT NULL,
    CONSTRAINT "PK_CampaignTotals" PRIMARY KEY ("CampaignId", "CharityId", "Currency")
);


CREATE TABLE "Charities" (
    "Id" uuid NOT NULL,
    "Slug" character varying(64) NOT NULL,
    "Name" character varying(200) NOT NULL,
    "Description" character varying(4000) NOT NULL,
    "Website" character varying(500),
    "RegistrationNumber" character varying(100),
    "CreatedUtc" timestamp with time zone NOT NULL,
    "UpdatedUtc" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_Charities" PRIMARY KEY ("Id")
);


CREATE TABLE "DailyTotals" (
    "CampaignId" uuid NOT NULL,
    "Day" date NOT NULL,
    "Confirmed" bigint NOT NULL,
    "Reversed" bigint NOT NULL,
    "Purchases" bigint NOT NULL,
    CONSTRAINT "PK_DailyTotals" PRIMARY KEY ("CampaignId", "Day")
);


CREATE TABLE "IdempotencyRecords" (
    "ClientId" uuid NOT NULL,
    "Key" character varying(255) NOT NULL,
    "Fingerprint" character varying(64) NOT NULL,
    "StatusCode" integer NOT NULL,
    "ContentType" character varying(128),
    "Location" character varying(512),
    "Body" bytea NOT NULL,
    "CreatedUtc" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_IdempotencyRecords" PRIMARY KEY ("ClientId", "Key")
);


CREATE TABLE "ServerSecrets" (
    "Name" character varying(64) NOT NULL,
    "Value" bytea NOT NULL,
    "CreatedUtc" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_ServerSecrets" PRIMARY KEY ("Name")
);


CREATE TABLE "StripeEvents" (
    "Id" character varying(255) NOT NULL,
    "Type" character varying(64) NOT NULL,
    "CreatedUtc" timestamp with time zone NOT NULL,
    "ReceivedUtc" timestamp with time zone NOT NULL,
    "Outcome" character varying(200) NOT NULL,
    CONSTRAINT "PK_StripeEvents" PRIMARY KEY ("Id")
);


CREATE TABLE "CampaignCharities" (
    "CampaignId" uuid NOT NULL,
    "CharityId" uuid NOT NULL,
    "Position" integer NOT NULL,
    CONSTRAINT "PK_CampaignCharities" PRIMARY KEY ("CampaignId", "CharityId"),
    CONSTRAINT "FK_CampaignCharities_Campaigns_CampaignId" FOREIGN KEY ("CampaignId") REFERENCES "Campaigns" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_CampaignCharities_Charities_CharityId" FOREIGN KEY ("CharityId") REFERENCES "Charities" ("Id") ON DELETE RESTRICT
);


CREATE TABLE "Purchases" (
    "Id" uuid NOT NULL,
    "ClientId" uuid NOT NULL,
    "OrderId" character varying(100) NOT NULL,
    "ReceiptCode" character varying(32) NOT NULL,
    "CampaignId" uuid NOT NULL,
    "CharityId" uuid NOT NULL,
    "Currency" character varying(3) NOT NULL,
    "Amount" bigint NOT NULL,
    "MerchantPledge" bigint NOT NULL,
    "Match" bigint NOT NULL,
    "RoundUp" bigint NOT NULL,
    "AddOn" bigint NOT NULL,
    "DonationTotal" bigint NOT NULL,
    "Refunded" bigint NOT NULL,
    "Reversed" bigint NOT NULL,
    "Remitted" bigint NOT NULL,
    "Status" character varying(24) NOT NULL,
    "CustomerHash" character varying(64),
    "PaymentMethod" character varying(16) NOT NULL,
    "PaymentReference" character varying(100),
    "PaymentStatus" character varying(32) NOT NULL,
    "PaymentIntentId" character varying(255),
    "PaymentError" character varying(4000),
    "DisputeId" character varying(255),
    "DisputeStatus" character varying(32),
    "CreationKey" character varying(255),
    "CreationFingerprint" character varying(64),
    "CreatedUtc" timestamp with time zone NOT NULL,
    "ConfirmedUtc" timestamp with time zone,
    CONSTRAINT "PK_Purchases" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_Purchases_Campaigns_CampaignId" FOREIGN KEY ("CampaignId") REFERENCES "Campaigns" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Purchases_Charities_CharityId" FOREIGN KEY ("CharityId") REFERENCES "Charities" ("Id") ON DELETE RESTRICT
);


CREATE TABLE "Remittances" (
    "Id" uuid NOT NULL,
    "CharityId" uuid NOT NULL,
    "Currency" character varying(3) NOT NULL,
    "CutoffUtc" timestamp with time zone NOT NULL,
    "Status" character varying(16) NOT NULL,
    "Amount" bigint NOT NULL,
    "Lines" integer NOT NULL,
    "Reference" character varying(100),
    "ClientId" uuid NOT NULL,
    "CreatedUtc" timestamp with time zone NOT NULL,
    "PaidUtc" timestamp with time zone,
    CONSTRAINT "PK_Remittances" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_Remittances_Charities_CharityId" FOREIGN KEY ("CharityId") REFERENCES "Charities" ("Id") ON DELETE RESTRICT
);


CREATE TABLE "Ledger" (
    "Id" uuid NOT NULL,
    "PurchaseId" uuid NOT NULL,
    "CampaignId" uuid NOT NULL,
    "CharityId" uuid NOT NULL,
    "Currency" character varying(3) NOT NULL,
    "Kind" character varying(16) NOT NULL,
    "MerchantPledge" bigint NOT NULL,
    "Match" bigint NOT NULL,
    "RoundUp" bigint NOT NULL,
    "AddOn" bigint NOT NULL,
    "Amount" bigint NOT NULL,
    "Cause" character varying(132) NOT NULL,
    "Reference" character varying(132),
    "CreatedUtc" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_Ledger" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_Ledger_Purchases_PurchaseId" FOREIGN KEY ("PurchaseId") REFERENCES "Purchases" ("Id") ON DELETE RESTRICT
);


CREATE TABLE "Refunds" (
    "Id" uuid NOT NULL,
    "PurchaseId" uuid NOT NULL,
    "ClientId" uuid NOT NULL,
    "Amount" bigint NOT NULL,
    "MerchantPledge" bigint NOT NULL,
    "Match" bigint NOT NULL,
    "RoundUp" bigint NOT NULL,
    "AddOn" bigint NOT NULL,
    "Reference" character varying(100),
    "StripeRefundId" character varying(255),
    "CreatedUtc" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_Refunds" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_Refunds_Purchases_PurchaseId" FOREIGN KEY ("PurchaseId") REFERENCES "Purchases" ("Id") ON DELETE RESTRICT
);


CREATE TABLE "RemittanceLines" (
    "RemittanceId" uuid NOT NULL,
    "PurchaseId" uuid NOT NULL,
    "Amount" bigint NOT NULL,
    CONSTRAINT "PK_RemittanceLines" PRIMARY KEY ("RemittanceId", "PurchaseId"),
    CONSTRAINT "FK_RemittanceLines_Purchases_PurchaseId" FOREIGN KEY ("PurchaseId") REFERENCES "Purchases" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_RemittanceLines_Remittances_RemittanceId" FOREIGN KEY ("RemittanceId") REFERENCES "Remittances" ("Id") ON DELETE CASCADE
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


CREATE UNIQUE INDEX "IX_Purchases_ClientId_CreationKey" ON "Purchases" ("ClientId", "CreationKey");


CREATE UNIQUE INDEX "IX_Purchases_ClientId_OrderId" ON "Purchases" ("ClientId", "OrderId");


CREATE INDEX "IX_Purchases_CustomerHash_Status" ON "Purchases" ("CustomerHash", "Status");


CREATE UNIQUE INDEX "IX_Purchases_PaymentIntentId" ON "Purchases" ("PaymentIntentId");


CREATE INDEX "IX_Purchases_PaymentMethod_ConfirmedUtc_CreatedUtc" ON "Purchases" ("PaymentMethod", "ConfirmedUtc", "CreatedUtc");


CREATE UNIQUE INDEX "IX_Purchases_ReceiptCode" ON "Purchases" ("ReceiptCode");


CREATE INDEX "IX_Refunds_PurchaseId" ON "Refunds" ("PurchaseId");


CREATE UNIQUE INDEX "IX_Refunds_StripeRefundId" ON "Refunds" ("StripeRefundId");


CREATE INDEX "IX_RemittanceLines_PurchaseId" ON "RemittanceLines" ("PurchaseId");


CREATE INDEX "IX_Remittances_CharityId_Currency_CreatedUtc" ON "Remittances" ("CharityId", "Currency", "CreatedUtc");


