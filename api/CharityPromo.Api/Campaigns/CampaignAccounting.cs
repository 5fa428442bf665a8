using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Reports;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CharityPromo.Api.Campaigns;

/// <summary>A campaign's public accounting: what each charity raised and what was paid to it, when. Nothing about sales or shoppers.</summary>
/// <param name="Ended">Whether the campaign has ended: then this is its final accounting.</param>
/// <param name="Outstanding">Raised, not yet paid to the charities.</param>
public sealed record CampaignAccountingResponse(
    string Campaign, string Name, string Currency, DateTime StartsUtc, DateTime EndsUtc, bool Ended, DateTime AsOfUtc,
    long Raised, long Remitted, long Outstanding, IReadOnlyList<CharityAccountingLine> Charities, IReadOnlyList<AccountingRemittance> Remittances);

public sealed record CharityAccountingLine(string Charity, string Name, long Raised, long Remitted, long Outstanding);

/// <param name="Amount">What this payment to the charity carried of the campaign's money, in minor units.</param>
public sealed record AccountingRemittance(string Charity, string Name, DateTime PaidUtc, long Amount);

internal static class CampaignAccounting
{
    public static void MapCampaignAccounting(this IEndpointRouteBuilder routes) =>
        routes.MapGroup("/api/campaigns").WithTags("Campaigns")
            .MapGet("/{slug}/accounting", GetCampaignAccounting).WithName(nameof(GetCampaignAccounting))
            .WithSummary("What a campaign raised per charity and what was paid to each, with the dates (anonymous)")
            .WithDescription("The public side of the closing statement (`GET /api/reports/campaigns/{slug}/statement`), the same figures: `remitted + outstanding = raised`. Once `ended`, it is the campaign's final accounting.")
            .AllowAnonymous().CachePublicly().ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Results<Ok<CampaignAccountingResponse>, ProblemHttpResult>> GetCampaignAccounting(
        string slug, AppDb db, IOptions<ShopOptions> shop, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var campaign = await db.Campaigns.AsNoTracking().Include(c => c.Charities).ThenInclude(cc => cc.Charity).SingleOrDefaultAsync(c => c.Slug == slug, ct);
        if (campaign is null) return Problems.NotFound($"No campaign '{slug}'.");
        var s = await CampaignStatement.BuildAsync(db, campaign, shop.Value.Name, now, ct);
        return TypedResults.Ok(new CampaignAccountingResponse(s.Campaign, s.Name, s.Currency, s.Period.FromUtc, s.Period.ToUtc,
            campaign.PhaseAt(now) == CampaignPhase.Ended, s.MadeUtc, s.Raised, s.Remitted, s.Outstanding,
            s.Charities.Select(c => new CharityAccountingLine(c.Charity, c.Name, c.Raised, c.Remitted, c.Outstanding)).ToList(),
            s.Remittances.Select(r => new AccountingRemittance(r.Charity, r.Name, r.PaidUtc, r.Amount)).ToList()));
    }
}
