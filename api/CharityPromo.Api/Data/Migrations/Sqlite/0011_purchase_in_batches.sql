-- 0011: a purchase's "Remitted" was what batches had claimed, draft or paid, while the ledger's Remitted is what was
-- paid: the column is named for what it holds.
ALTER TABLE "Purchases" RENAME COLUMN "Remitted" TO "InBatches";
