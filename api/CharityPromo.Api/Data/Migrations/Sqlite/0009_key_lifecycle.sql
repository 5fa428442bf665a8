-- 0009: API keys expire, rotate and show when they were last used. A key speaks for an API client; a rotated
-- key's successor speaks for the same one, so the client's id is its own column (the key's id until now).
ALTER TABLE "ApiKeys" ADD COLUMN "ClientId" TEXT NOT NULL DEFAULT '';
UPDATE "ApiKeys" SET "ClientId" = "Id";
ALTER TABLE "ApiKeys" ADD COLUMN "ExpiresUtc" TEXT NULL;
ALTER TABLE "ApiKeys" ADD COLUMN "LastUsedUtc" TEXT NULL;
