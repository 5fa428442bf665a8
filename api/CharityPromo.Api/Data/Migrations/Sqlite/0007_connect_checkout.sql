-- 0007: charities paid through Stripe Connect, and purchases paid on Stripe Checkout's hosted page.
-- A charity's connected account and whether it can receive transfers; a batch's transfer, its attempts and what
-- Stripe reversed of it; each line's share of that reversal (outstanding again); a purchase's Checkout Session.
ALTER TABLE "Charities" ADD COLUMN "StripeAccountId" TEXT NULL;
ALTER TABLE "Charities" ADD COLUMN "StripeTransfersEnabled" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Charities" ADD COLUMN "StripePayoutsEnabled" INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX "IX_Charities_StripeAccountId" ON "Charities" ("StripeAccountId");
ALTER TABLE "Remittances" ADD COLUMN "TransferId" TEXT NULL;
ALTER TABLE "Remittances" ADD COLUMN "TransferAttempts" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Remittances" ADD COLUMN "TransferStartedUtc" TEXT NULL;
ALTER TABLE "Remittances" ADD COLUMN "TransferReversed" INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX "IX_Remittances_TransferId" ON "Remittances" ("TransferId");
ALTER TABLE "RemittanceLines" ADD COLUMN "Reopened" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Purchases" ADD COLUMN "CheckoutSessionId" TEXT NULL;
CREATE UNIQUE INDEX "IX_Purchases_CheckoutSessionId" ON "Purchases" ("CheckoutSessionId");
