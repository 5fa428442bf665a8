-- 0006: Stripe's refund and dispute lifecycles — a refund's last known status and when a failed one was put back,
-- and what a dispute is for (a lost one reverses the donation's share of that amount).
ALTER TABLE "Refunds" ADD COLUMN "StripeStatus" TEXT NULL;
ALTER TABLE "Refunds" ADD COLUMN "RestoredUtc" TEXT NULL;
ALTER TABLE "Purchases" ADD COLUMN "DisputeAmount" INTEGER NULL;
