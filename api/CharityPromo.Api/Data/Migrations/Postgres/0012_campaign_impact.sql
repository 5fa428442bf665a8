-- 0012: what a unit of a campaign's money does, in words shoppers read ("500 buys a book"); optional.
ALTER TABLE "Campaigns" ADD COLUMN "ImpactAmount" bigint;
ALTER TABLE "Campaigns" ADD COLUMN "ImpactSingular" character varying(40);
ALTER TABLE "Campaigns" ADD COLUMN "ImpactPlural" character varying(40);
