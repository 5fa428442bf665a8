using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Data;
using CharityPromo.Api.Purchases;
using CharityPromo.Api.Remittances;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Reports;

/// <summary>
/// A campaign's closing statement (the commercial co-venturer's final accounting), over its paid purchases. The figures
/// add up exactly: <c>raised = merchantPledge + shopperGifts + match − reversed</c> and <c>remitted + outstanding = raised</c>.
/// </summary>
/// <param name="Period">The campaign's run: from its start to its end (exclusive).</param>
/// <param name="Disclosure">The disclosure of the campaign's terms as they stand now.</param>
/// <param name="MadeUtc">When this statement was made.</param>
/// <param name="Purchases">Paid purchases counted (refunded and disputed ones included; unpaid ones gave nothing).</param>
/// <param name="Sales">What paid purchases' amounts came to, less what was refunded to shoppers.</param>
/// <param name="MerchantPledge">The shop's own pledge, as pledged.</param>
/// <param name="ShopperGifts">Shoppers' round-ups and add-ons, collected by the shop for the charities.</param>
/// <param name="Match">The shop's loyalty match, as pledged.</param>
/// <param name="Reversed">What refunds and lost disputes took back, all parts.</param>
/// <param name="Raised">What the campaign gives: the four parts less <paramref name="Reversed"/>.</param>
/// <param name="Remitted">Of that, paid to the charities (paid remittance batches, less what reversed transfers reopened).</param>
/// <param name="Outstanding">Raised, not yet remitted.</param>
/// <param name="Charities">The same figures per charity.</param>
/// <param name="Remittances">Each paid batch's share of this campaign, by charity, with when it was paid.</param>
public sealed record CampaignStatementResponse(
    string Campaign, string Name, string Currency, string Shop, StatementPeriod Period, string Disclosure, DateTime MadeUtc,
    long Purchases, long Sales, long MerchantPledge, long ShopperGifts, long Match, long Reversed, long Raised, long Remitted, long Outstanding,
    IReadOnlyList<CharityStatementLine> Charities, IReadOnlyList<StatementRemittance> Remittances);

public sealed record StatementPeriod(DateTime FromUtc, DateTime ToUtc);

/// <summary>One charity's figures in a campaign statement; the same definitions as the campaign's.</summary>
public sealed record CharityStatementLine(
    string Charity, string Name, long Purchases, long Sales, long MerchantPledge, long ShopperGifts, long Match, long Reversed, long Raised,
    long Remitted, long Outstanding);

/// <param name="Amount">This campaign's share of the batch, in minor units.</param>
public sealed record StatementRemittance(Guid Id, string Charity, string Name, DateTime PaidUtc, long Amount);

/// <summary>A CSV row of a statement: one per charity, then the campaign's total (<c>charity</c> = <c>all</c>).</summary>
public sealed record CampaignStatementRow(
    string Campaign, string Charity, string Currency, string FromUtc, string ToUtc, long Purchases, long Sales, long MerchantPledge, long ShopperGifts,
    long Match, long Reversed, long Raised, long Remitted, long Outstanding, string MadeUtc, string Disclosure);

internal static class CampaignStatement
{
    public static async Task<CampaignStatementResponse> BuildAsync(AppDb db, Campaign campaign, string shop, DateTime now, CancellationToken ct)
    {
        var paid = db.Purchases.AsNoTracking().Where(p => p.CampaignId == campaign.Id).Where(Purchase.Paid);
        var parts = await paid.GroupBy(p => p.CharityId)
            .Select(g => new
            {
                Charity = g.Key, Purchases = g.LongCount(), Sales = g.Sum(p => p.Amount - p.Refunded), MerchantPledge = g.Sum(p => p.Donation.MerchantPledge),
                ShopperGifts = g.Sum(p => p.Donation.RoundUp + p.Donation.AddOn), Match = g.Sum(p => p.Donation.Match), Reversed = g.Sum(p => p.Reversed),
            })
            .ToDictionaryAsync(x => x.Charity, ct);
        var raised = await paid.GroupBy(p => p.CharityId, Purchase.NetGiven).Select(g => new { g.Key, Raised = g.Sum() }).ToDictionaryAsync(x => x.Key, x => x.Raised, ct);
        var remittances = await db.RemittanceLines.AsNoTracking()
            .Join(db.Remittances.Where(r => r.Status == RemittanceStatus.Paid), l => l.RemittanceId, r => r.Id, (l, r) => new { Line = l, r.PaidUtc })
            .Join(paid, x => x.Line.PurchaseId, p => p.Id, (x, p) => new { x.Line.RemittanceId, p.CharityId, x.PaidUtc, Amount = x.Line.Amount - x.Line.Reopened })
            .GroupBy(x => new { x.RemittanceId, x.CharityId, x.PaidUtc })
            .Select(g => new { g.Key.RemittanceId, g.Key.CharityId, g.Key.PaidUtc, Amount = g.Sum(x => x.Amount) })
            .ToListAsync(ct);

        var charities = campaign.Charities.OrderBy(cc => cc.Position).Select(cc => cc.Charity).ToList();
        // Charities removed from the campaign keep what they raised in it.
        var missing = parts.Keys.Except(charities.Select(c => c.Id)).ToList();
        if (missing.Count > 0) charities.AddRange(await db.Charities.AsNoTracking().Where(c => missing.Contains(c.Id)).OrderBy(c => c.Slug).ToListAsync(ct));
        var names = charities.ToDictionary(c => c.Id);

        var lines = charities.Select(c =>
        {
            var p = parts.GetValueOrDefault(c.Id);
            var net = raised.GetValueOrDefault(c.Id);
            var remitted = remittances.Where(r => r.CharityId == c.Id).Sum(r => r.Amount);
            return new CharityStatementLine(c.Slug, c.Name, p?.Purchases ?? 0, p?.Sales ?? 0, p?.MerchantPledge ?? 0, p?.ShopperGifts ?? 0, p?.Match ?? 0,
                p?.Reversed ?? 0, net, remitted, net - remitted);
        }).ToList();

        return new CampaignStatementResponse(
            campaign.Slug, campaign.Name, campaign.Currency, shop, new StatementPeriod(Utc(campaign.StartsUtc), Utc(campaign.EndsUtc)), Disclosure.For(campaign, shop), Utc(now),
            lines.Sum(l => l.Purchases), lines.Sum(l => l.Sales), lines.Sum(l => l.MerchantPledge), lines.Sum(l => l.ShopperGifts), lines.Sum(l => l.Match),
            lines.Sum(l => l.Reversed), lines.Sum(l => l.Raised), lines.Sum(l => l.Remitted), lines.Sum(l => l.Outstanding), lines,
            remittances.OrderBy(r => r.PaidUtc).ThenBy(r => r.RemittanceId)
                .Select(r => new StatementRemittance(r.RemittanceId, names[r.CharityId].Slug, names[r.CharityId].Name, Utc(r.PaidUtc!.Value), r.Amount)).ToList());
    }

    public static IEnumerable<CampaignStatementRow> Rows(CampaignStatementResponse s)
    {
        CampaignStatementRow Row(string charity, long purchases, long sales, long pledge, long gifts, long match, long reversed, long raised, long remitted, long outstanding) =>
            new(s.Campaign, charity, s.Currency, PledgeReport.Iso(s.Period.FromUtc), PledgeReport.Iso(s.Period.ToUtc), purchases, sales, pledge, gifts, match,
                reversed, raised, remitted, outstanding, PledgeReport.Iso(s.MadeUtc), s.Disclosure);
        foreach (var l in s.Charities)
            yield return Row(l.Charity, l.Purchases, l.Sales, l.MerchantPledge, l.ShopperGifts, l.Match, l.Reversed, l.Raised, l.Remitted, l.Outstanding);
        yield return Row("all", s.Purchases, s.Sales, s.MerchantPledge, s.ShopperGifts, s.Match, s.Reversed, s.Raised, s.Remitted, s.Outstanding);
    }

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
