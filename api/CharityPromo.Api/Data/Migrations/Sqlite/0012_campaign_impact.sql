-- 0012: what a unit of a campaign's money does, in words shoppers read ("500 buys a book"); optional.
ALTER TABLE "Campaigns" ADD COLUMN "ImpactAmount" INTEGER NULL;
ALTER TABLE "Campaigns" ADD COLUMN "ImpactSingular" TEXT NULL;
ALTER TABLE "Campaigns" ADD COLUMN "ImpactPlural" TEXT NULL;
