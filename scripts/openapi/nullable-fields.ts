// Compiled (never run) by scripts/test.sh with `tsc --noEmit` against the types openapi-typescript generates from
// docs/openapi.json: what the API may answer as null must be typed as nullable, so a client cannot read
// `campaign.impact.amount` without checking, and what is always there must not be.
import type { components } from "../../artifacts/openapi/charitypromo";

type Schemas = components["schemas"];

declare const campaign: Schemas["CampaignResponse"];
declare const campaigns: Schemas["CampaignResponse"][];
declare const receipt: Schemas["ReceiptResponse"];

// @ts-expect-error a campaign without impact units answers impact: null
campaign.impact.amount;
// @ts-expect-error nor does every campaign have a loyalty match
campaign.match.budget;
// @ts-expect-error the same in the campaign list
campaigns[0].impact.singular;
// @ts-expect-error and in a receipt's campaign
receipt.campaign.impact.plural;

const units: number | undefined = campaign.impact?.amount;
const noImpact: Schemas["CampaignResponse"]["impact"] = null;
const noReceiptImpact: Schemas["ReceiptCampaignResponse"]["impact"] = null;

// Always present: no check needed.
const slug: string = campaign.slug;
const raised: number = receipt.campaign.raised + campaign.totals.raised;
const id: string = ({} as Schemas["PurchaseResponse"]).id;

export { units, noImpact, noReceiptImpact, slug, raised, id };
