-- 0013: charities' consents to promotions in their name, and a cap on the shop's pledge over a whole campaign.
CREATE TABLE "CharityConsents" (
    "Id" uuid NOT NULL,
    "CharityId" uuid NOT NULL,
    "GrantedBy" character varying(200) NOT NULL,
    "GrantedUtc" timestamp with time zone NOT NULL,
    "Document" character varying(500),
    "AllCampaigns" boolean NOT NULL,
    "ExpiresUtc" timestamp with time zone,
    "WithdrawnUtc" timestamp with time zone,
    "CreatedUtc" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_CharityConsents" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_CharityConsents_Charities_CharityId" FOREIGN KEY ("CharityId") REFERENCES "Charities" ("Id") ON DELETE RESTRICT
);
CREATE INDEX "IX_CharityConsents_CharityId" ON "CharityConsents" ("CharityId");

CREATE TABLE "CharityConsentCampaigns" (
    "ConsentId" uuid NOT NULL,
    "CampaignId" uuid NOT NULL,
    CONSTRAINT "PK_CharityConsentCampaigns" PRIMARY KEY ("ConsentId", "CampaignId"),
    CONSTRAINT "FK_CharityConsentCampaigns_Campaigns_CampaignId" FOREIGN KEY ("CampaignId") REFERENCES "Campaigns" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_CharityConsentCampaigns_CharityConsents_ConsentId" FOREIGN KEY ("ConsentId") REFERENCES "CharityConsents" ("Id") ON DELETE CASCADE
);
CREATE INDEX "IX_CharityConsentCampaigns_CampaignId" ON "CharityConsentCampaigns" ("CampaignId");

ALTER TABLE "Campaigns" ADD COLUMN "CampaignCap" bigint;
ALTER TABLE "Campaigns" ADD COLUMN "CapUsed" bigint NOT NULL DEFAULT 0;

-- Campaigns not yet ended keep taking purchases after the upgrade: each of their charities gets a consent marked
-- grandfathered (no document), covering exactly those campaigns, and an audit entry saying so. docs/OPERATIONS.md
-- says how to replace them with the charities' written consents. The consent's id is its charity's: one each.
INSERT INTO "CharityConsents" ("Id", "CharityId", "GrantedBy", "GrantedUtc", "Document", "AllCampaigns", "ExpiresUtc", "WithdrawnUtc", "CreatedUtc")
SELECT ch."Id", ch."Id", 'grandfathered at the upgrade to consents (migration 0013)', ch."CreatedUtc", NULL, false, NULL, NULL, now()
FROM "Charities" ch
WHERE EXISTS (SELECT 1 FROM "CampaignCharities" cc JOIN "Campaigns" c ON c."Id" = cc."CampaignId"
              WHERE cc."CharityId" = ch."Id" AND c."EndsUtc" > now());

INSERT INTO "CharityConsentCampaigns" ("ConsentId", "CampaignId")
SELECT cc."CharityId", cc."CampaignId"
FROM "CampaignCharities" cc JOIN "Campaigns" c ON c."Id" = cc."CampaignId"
WHERE c."EndsUtc" > now();

INSERT INTO "AuditEntries" ("AtUtc", "Actor", "Kind", "Subject", "Changes")
SELECT k."CreatedUtc", 'migration 0013', 'consent.grandfathered', 'charity:' || ch."Slug",
       json_build_object('id', json_build_object('before', NULL, 'after', k."Id"::text), 'campaigns', json_build_object('before', NULL, 'after',
           (SELECT string_agg(c."Slug", ',' ORDER BY c."Slug") FROM "CharityConsentCampaigns" x JOIN "Campaigns" c ON c."Id" = x."CampaignId" WHERE x."ConsentId" = k."Id")))::text
FROM "CharityConsents" k JOIN "Charities" ch ON ch."Id" = k."CharityId";
