using CharityPromo.Api.Data;
using CharityPromo.Api.Ledger;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Campaigns;

/// <summary>Reads campaign totals from the totals rows only: the cost never grows with the number of purchases.</summary>
internal static class CampaignTotalsReader
{
    private sealed record TotalsRow(Guid CampaignId, string Slug, string Name, long Confirmed, long Reversed, long Pending, long Purchases);

    // Compiled: one campaign's totals are what every public campaign read (uncached) and every campaign page asks for,
    // and a LINQ query rebuilds its expression tree and looks up its SQL on each call (docs/BENCHMARKS.md).
    private static readonly Func<AppDb, Guid, IAsyncEnumerable<TotalsRow>> TotalsOf = EF.CompileAsyncQuery(
        (AppDb db, Guid campaignId) => db.CampaignTotals.AsNoTracking().Where(t => t.CampaignId == campaignId)
            .Join(db.Charities, t => t.CharityId, c => c.Id,
                (t, c) => new TotalsRow(t.CampaignId, c.Slug, c.Name, t.Confirmed, t.Reversed, t.Pending, t.Purchases)));

    private static readonly Func<AppDb, Guid, IAsyncEnumerable<DailyTotal>> DailyOf = EF.CompileAsyncQuery<AppDb, Guid, DailyTotal>(
        (AppDb db, Guid campaignId) => db.DailyTotals.AsNoTracking().Where(d => d.CampaignId == campaignId).OrderBy(d => d.Day));

    /// <summary>One campaign's totals, with its day-by-day series.</summary>
    public static async Task<TotalsResponse> ForCampaignAsync(AppDb db, Guid campaignId, DateTime asOfUtc, CancellationToken ct)
    {
        var rows = await TotalsOf(db, campaignId).ToListAsync(ct);
        long cumulative = 0;
        var series = (await DailyOf(db, campaignId).ToListAsync(ct))
            .Select(d => new DailyTotalResponse(d.Day, d.Confirmed - d.Reversed, cumulative += d.Confirmed - d.Reversed, d.Purchases))
            .ToList();
        return Totals(rows, series, asOfUtc);
    }

    /// <summary>Several campaigns' totals, without series (campaign lists).</summary>
    public static async Task<Dictionary<Guid, TotalsResponse>> ForCampaignsAsync(
        AppDb db, IReadOnlyCollection<Guid> campaignIds, DateTime asOfUtc, CancellationToken ct)
    {
        var rows = await db.CampaignTotals.AsNoTracking()
            .Where(t => campaignIds.Contains(t.CampaignId))
            .Join(db.Charities, t => t.CharityId, c => c.Id,
                (t, c) => new TotalsRow(t.CampaignId, c.Slug, c.Name, t.Confirmed, t.Reversed, t.Pending, t.Purchases))
            .ToListAsync(ct);
        return campaignIds.ToDictionary(id => id, id => Totals(rows.Where(r => r.CampaignId == id), null, asOfUtc));
    }

    private static TotalsResponse Totals(IEnumerable<TotalsRow> rows, List<DailyTotalResponse>? series, DateTime asOfUtc)
    {
        var charities = rows
            .Select(r => new CharityTotalsResponse(r.Slug, r.Name, r.Confirmed - r.Reversed, r.Pending, r.Purchases))
            .OrderByDescending(r => r.Raised).ThenBy(r => r.Charity)
            .ToList();
        return new TotalsResponse(
            charities.Sum(c => c.Raised), charities.Sum(c => c.Pending), charities.Sum(c => c.Purchases),
            charities, series, asOfUtc);
    }
}
