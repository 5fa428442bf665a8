-- 0008: idempotency records expire after Idempotency:RetentionDays; the sweep finds them by age.
CREATE INDEX "IX_IdempotencyRecords_CreatedUtc" ON "IdempotencyRecords" ("CreatedUtc");
