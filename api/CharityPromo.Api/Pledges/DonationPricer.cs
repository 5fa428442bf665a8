using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Purchases;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CharityPromo.Api.Pledges;

/// <param name="MerchantCapLeft">What was left of the campaign cap before this purchase; null without a cap.</param>
internal sealed record PricedDonation(Campaign Campaign, Charity Charity, string? CustomerHash, DonationBreakdown Donation, long? MerchantCapLeft);

/// <summary>Checks a donation request against its campaign and prices it; quotes and purchases both go through here.</summary>
internal static class DonationPricer
{
    // Every purchase prices on the writer thread: the campaign is read once per write transaction, and the per-purchase
    // read is plain SQL on a prepared command (DirectSql; docs/BENCHMARKS.md). A quote reads on one of the readers'
    // connections instead; inside the write transaction there is none to pass.
    public static async Task<(PricedDonation? Priced, ProblemHttpResult? Problem)> PriceAsync(
        AppDb db, SqliteReaders? readers, CustomerRefHasher hasher, IDonationRequest request, DateTime now, CancellationToken ct)
    {
        var remembered = db.CampaignReadInThisTransaction(request.Campaign);
        var campaign = remembered ?? await db.FindCampaignAsync(request.Campaign, readers, ct);
        if (campaign is null) return (null, Problems.Unprocessable("campaign", $"No campaign '{request.Campaign}'."));
        db.RememberCampaignRead(campaign);

        Charity? charity;
        if (request.Charity is null)
        {
            if (campaign.Charities.Count != 1)
                return (null, Problems.Unprocessable("charity", $"Campaign '{campaign.Slug}' supports several charities: name one."));
            charity = campaign.Charities[0].Charity;
        }
        else
        {
            charity = campaign.Charities.Select(cc => cc.Charity).SingleOrDefault(c => c.Slug == request.Charity);
            if (charity is null)
                return (null, Problems.Unprocessable("charity", $"Campaign '{campaign.Slug}' does not support charity '{request.Charity}'."));
        }

        if (request.Currency != campaign.Currency)
            return (null, Problems.Unprocessable("currency", $"Campaign '{campaign.Slug}' is in '{campaign.Currency}', not '{request.Currency}'."));
        switch (campaign.PhaseAt(now))
        {
            case CampaignPhase.Upcoming:
                return (null, Problems.Unprocessable("campaign", $"Campaign '{campaign.Slug}' starts at {campaign.StartsUtc:yyyy-MM-ddTHH:mm:ssZ}."));
            case CampaignPhase.Ended:
                return (null, Problems.Unprocessable("campaign", $"Campaign '{campaign.Slug}' ended at {campaign.EndsUtc:yyyy-MM-ddTHH:mm:ssZ}."));
        }
        // Once per write batch, like the campaign itself: a batch lasts milliseconds.
        campaign.ConsentedCharities ??= (await Consents.Consents.CoveredAsync(db, [campaign.Id], now, ct)).Select(p => p.CharityId).ToHashSet();
        if (!campaign.ConsentedCharities.Contains(charity.Id))
            return (null, Problems.ConsentMissing(charity.Slug, charity.Name, campaign.Slug));
        if (request.AddOn > 0 && !campaign.AddOn)
            return (null, Problems.Unprocessable("addOn", $"Campaign '{campaign.Slug}' does not take shopper add-ons."));

        var customerHash = string.IsNullOrWhiteSpace(request.CustomerRef) ? null : hasher.Hash(request.CustomerRef);
        var prior = 0;
        var (matchUsed, capUsed) = (campaign.MatchUsed, campaign.CapUsed);
        var min = campaign.MatchMinPriorPurchases ?? 0;
        // The customer's loyalty, and the match budget and campaign cap used so far read fresh when the campaign was
        // remembered from earlier in the batch (earlier purchases may have used them). Without a customer reference there
        // is no loyalty to count.
        if ((campaign.MatchPercentBps is not null && customerHash is not null) || (remembered is not null && (campaign.MatchPercentBps is not null || campaign.CampaignCap is not null)))
        {
            var (hasMinimum, freshMatch, freshCap) = await db.ReadLoyaltyAsync(readers, customerHash, min, campaign.Id, ct);
            (prior, matchUsed, capUsed) = (hasMinimum ? min : 0, freshMatch, freshCap); // prior counted up to the minimum: all the rule compares
        }
        var matchBudgetLeft = campaign.MatchPercentBps is null ? 0 : (campaign.MatchBudget ?? 0) - matchUsed;
        var capLeft = Campaign.CapLeft(campaign.CampaignCap, capUsed);

        var donation = PledgeMath.Compute(campaign.Rule, new DonationInput(
            request.Currency, request.Amount, request.RoundUp, request.AddOn, prior, matchBudgetLeft, capLeft));
        return (new PricedDonation(campaign, charity, customerHash, donation, capLeft), null);
    }
}
