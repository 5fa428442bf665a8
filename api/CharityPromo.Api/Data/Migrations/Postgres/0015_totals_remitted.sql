-- 0015: what of each totals row has been paid to the charity (net of reversed transfers), kept with the ledger's
-- remitted entries so a campaign page can say how much of its total has reached the charity in O(1).
ALTER TABLE "CampaignTotals" ADD COLUMN "Remitted" bigint NOT NULL DEFAULT 0;
UPDATE "CampaignTotals" t SET "Remitted" = COALESCE((
    SELECT SUM(l."Amount") FROM "Ledger" l
    WHERE l."Kind" = 'Remitted' AND l."CampaignId" = t."CampaignId" AND l."CharityId" = t."CharityId" AND l."Currency" = t."Currency"), 0);
