-- 0003: remittance batches and their lines; what each purchase has placed in batches so far.
ALTER TABLE "Purchases" ADD COLUMN "Remitted" INTEGER NOT NULL DEFAULT 0;

CREATE TABLE "Remittances" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Remittances" PRIMARY KEY,
    "CharityId" TEXT NOT NULL,
    "Currency" TEXT NOT NULL,
    "CutoffUtc" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "Amount" INTEGER NOT NULL,
    "Lines" INTEGER NOT NULL,
    "Reference" TEXT NULL,
    "ClientId" TEXT NOT NULL,
    "CreatedUtc" TEXT NOT NULL,
    "PaidUtc" TEXT NULL,
    CONSTRAINT "FK_Remittances_Charities_CharityId" FOREIGN KEY ("CharityId") REFERENCES "Charities" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "RemittanceLines" (
    "RemittanceId" TEXT NOT NULL,
    "PurchaseId" TEXT NOT NULL,
    "Amount" INTEGER NOT NULL,
    CONSTRAINT "PK_RemittanceLines" PRIMARY KEY ("RemittanceId", "PurchaseId"),
    CONSTRAINT "FK_RemittanceLines_Purchases_PurchaseId" FOREIGN KEY ("PurchaseId") REFERENCES "Purchases" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_RemittanceLines_Remittances_RemittanceId" FOREIGN KEY ("RemittanceId") REFERENCES "Remittances" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_RemittanceLines_PurchaseId" ON "RemittanceLines" ("PurchaseId");
CREATE INDEX "IX_Remittances_CharityId_Currency_CreatedUtc" ON "Remittances" ("CharityId", "Currency", "CreatedUtc");
