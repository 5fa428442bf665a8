-- 0014: outbound webhooks. Endpoints (secrets encrypted), the outbox: one delivery per event and endpoint (the
-- dispatcher's queue), and each attempt's answer. Campaigns remember when their goal was reached and their end announced,
-- so each of those events is written once; campaigns that ended before this migration are not announced.
CREATE TABLE "WebhookEndpoints" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_WebhookEndpoints" PRIMARY KEY,
    "Url" TEXT NOT NULL,
    "Events" TEXT NOT NULL,
    "Description" TEXT NULL,
    "Secret" TEXT NOT NULL,
    "PreviousSecret" TEXT NULL,
    "PreviousSecretExpiresUtc" TEXT NULL,
    "CreatedUtc" TEXT NOT NULL,
    "DisabledUtc" TEXT NULL,
    "DisabledReason" TEXT NULL
);

CREATE TABLE "WebhookDeliveries" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_WebhookDeliveries" PRIMARY KEY AUTOINCREMENT,
    "EndpointId" TEXT NOT NULL,
    "EventId" TEXT NOT NULL,
    "EventType" TEXT NOT NULL,
    "Payload" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "Attempts" INTEGER NOT NULL,
    "NextAttemptUtc" TEXT NULL,
    "LeaseUntilUtc" TEXT NULL,
    "RetryUntilUtc" TEXT NOT NULL,
    "CreatedUtc" TEXT NOT NULL,
    "DeliveredUtc" TEXT NULL,
    CONSTRAINT "FK_WebhookDeliveries_WebhookEndpoints_EndpointId" FOREIGN KEY ("EndpointId") REFERENCES "WebhookEndpoints" ("Id") ON DELETE CASCADE
);

CREATE TABLE "WebhookAttempts" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_WebhookAttempts" PRIMARY KEY AUTOINCREMENT,
    "DeliveryId" INTEGER NOT NULL,
    "AttemptedUtc" TEXT NOT NULL,
    "StatusCode" INTEGER NULL,
    "DurationMs" INTEGER NOT NULL,
    "Response" TEXT NULL,
    "Error" TEXT NULL,
    "NextRetryUtc" TEXT NULL,
    CONSTRAINT "FK_WebhookAttempts_WebhookDeliveries_DeliveryId" FOREIGN KEY ("DeliveryId") REFERENCES "WebhookDeliveries" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_WebhookAttempts_DeliveryId" ON "WebhookAttempts" ("DeliveryId");
CREATE INDEX "IX_WebhookDeliveries_EndpointId_Id" ON "WebhookDeliveries" ("EndpointId", "Id");
CREATE INDEX "IX_WebhookDeliveries_Status_NextAttemptUtc" ON "WebhookDeliveries" ("Status", "NextAttemptUtc");

ALTER TABLE "Campaigns" ADD COLUMN "GoalReachedUtc" TEXT NULL;
ALTER TABLE "Campaigns" ADD COLUMN "EndAnnouncedUtc" TEXT NULL;
UPDATE "Campaigns" SET "EndAnnouncedUtc" = "EndsUtc" WHERE "EndsUtc" <= strftime('%Y-%m-%d %H:%M:%S', 'now');
