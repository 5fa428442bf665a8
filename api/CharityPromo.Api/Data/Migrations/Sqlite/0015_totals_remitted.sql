-- 0015: what of each totals row has been paid to the charity (net of reversed transfers), kept with the ledger's
-- remitted entries so a campaign page can say how much of its total has reached the charity in O(1).
ALTER TABLE "CampaignTotals" ADD COLUMN "Remitted" INTEGER NOT NULL DEFAULT 0;
UPDATE "CampaignTotals" SET "Remitted" = COALESCE((
    SELECT SUM(l."Amount") FROM "Ledger" l
    WHERE l."Kind" = 'Remitted' AND l."CampaignId" = "CampaignTotals"."CampaignId"
      AND l."CharityId" = "CampaignTotals"."CharityId" AND l."Currency" = "CampaignTotals"."Currency"), 0);
