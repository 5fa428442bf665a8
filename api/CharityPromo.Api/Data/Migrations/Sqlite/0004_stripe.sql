-- 0004: Stripe payments — the PaymentIntent behind a purchase, its disputes, the request that created it
-- (so a retry resumes it), Stripe's refund ids, and the webhook events already handled.
ALTER TABLE "Purchases" ADD COLUMN "PaymentStatus" TEXT NOT NULL DEFAULT 'succeeded';
ALTER TABLE "Purchases" ADD COLUMN "PaymentIntentId" TEXT NULL;
ALTER TABLE "Purchases" ADD COLUMN "PaymentError" TEXT NULL;
ALTER TABLE "Purchases" ADD COLUMN "DisputeId" TEXT NULL;
ALTER TABLE "Purchases" ADD COLUMN "DisputeStatus" TEXT NULL;
ALTER TABLE "Purchases" ADD COLUMN "CreationKey" TEXT NULL;
ALTER TABLE "Purchases" ADD COLUMN "CreationFingerprint" TEXT NULL;
CREATE UNIQUE INDEX "IX_Purchases_PaymentIntentId" ON "Purchases" ("PaymentIntentId");
CREATE UNIQUE INDEX "IX_Purchases_ClientId_CreationKey" ON "Purchases" ("ClientId", "CreationKey");
CREATE INDEX "IX_Purchases_PaymentMethod_ConfirmedUtc_CreatedUtc" ON "Purchases" ("PaymentMethod", "ConfirmedUtc", "CreatedUtc");

ALTER TABLE "Refunds" ADD COLUMN "StripeRefundId" TEXT NULL;
CREATE UNIQUE INDEX "IX_Refunds_StripeRefundId" ON "Refunds" ("StripeRefundId");

CREATE TABLE "StripeEvents" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_StripeEvents" PRIMARY KEY,
    "Type" TEXT NOT NULL,
    "CreatedUtc" TEXT NOT NULL,
    "ReceivedUtc" TEXT NOT NULL,
    "Outcome" TEXT NOT NULL
);
