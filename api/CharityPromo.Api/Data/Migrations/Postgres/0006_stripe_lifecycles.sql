-- 0006: Stripe's refund and dispute lifecycles — a refund's last known status and when a failed one was put back,
-- and what a dispute is for (a lost one reverses the donation's share of that amount).
ALTER TABLE "Refunds" ADD COLUMN "StripeStatus" character varying(32);
ALTER TABLE "Refunds" ADD COLUMN "RestoredUtc" timestamp with time zone;
ALTER TABLE "Purchases" ADD COLUMN "DisputeAmount" bigint;
