-- 0002: refunds, each reversing its share of a purchase's donation.
CREATE TABLE "Refunds" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Refunds" PRIMARY KEY,
    "PurchaseId" TEXT NOT NULL,
    "ClientId" TEXT NOT NULL,
    "Amount" INTEGER NOT NULL,
    "MerchantPledge" INTEGER NOT NULL,
    "Match" INTEGER NOT NULL,
    "RoundUp" INTEGER NOT NULL,
    "AddOn" INTEGER NOT NULL,
    "Reference" TEXT NULL,
    "CreatedUtc" TEXT NOT NULL,
    CONSTRAINT "FK_Refunds_Purchases_PurchaseId" FOREIGN KEY ("PurchaseId") REFERENCES "Purchases" ("Id") ON DELETE RESTRICT
);

CREATE INDEX "IX_Refunds_PurchaseId" ON "Refunds" ("PurchaseId");
