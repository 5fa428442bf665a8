-- 0005: attempts at creating a purchase's PaymentIntent that got no definite answer, so a retry after a stored
-- Stripe error uses a new Stripe idempotency key (after looking for what the failed attempt may have made).
ALTER TABLE "Purchases" ADD COLUMN "IntentAttempts" integer NOT NULL DEFAULT 0;
ALTER TABLE "Purchases" ADD COLUMN "IntentAttemptFailedUtc" timestamp with time zone;
