-- 0007: charities paid through Stripe Connect, and purchases paid on Stripe Checkout's hosted page.
-- A charity's connected account and whether it can receive transfers; a batch's transfer, its attempts and what
-- Stripe reversed of it; each line's share of that reversal (outstanding again); a purchase's Checkout Session.
ALTER TABLE "Charities" ADD COLUMN "StripeAccountId" character varying(255);
ALTER TABLE "Charities" ADD COLUMN "StripeTransfersEnabled" boolean NOT NULL DEFAULT FALSE;
ALTER TABLE "Charities" ADD COLUMN "StripePayoutsEnabled" boolean NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX "IX_Charities_StripeAccountId" ON "Charities" ("StripeAccountId");
ALTER TABLE "Remittances" ADD COLUMN "TransferId" character varying(255);
ALTER TABLE "Remittances" ADD COLUMN "TransferAttempts" integer NOT NULL DEFAULT 0;
ALTER TABLE "Remittances" ADD COLUMN "TransferStartedUtc" timestamp with time zone;
ALTER TABLE "Remittances" ADD COLUMN "TransferReversed" bigint NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX "IX_Remittances_TransferId" ON "Remittances" ("TransferId");
ALTER TABLE "RemittanceLines" ADD COLUMN "Reopened" bigint NOT NULL DEFAULT 0;
ALTER TABLE "Purchases" ADD COLUMN "CheckoutSessionId" character varying(255);
CREATE UNIQUE INDEX "IX_Purchases_CheckoutSessionId" ON "Purchases" ("CheckoutSessionId");
