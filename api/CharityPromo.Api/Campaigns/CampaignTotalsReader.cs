using CharityPromo.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Campaigns;

/// <summary>Reads campaign totals from the totals rows only: the cost never grows with the number of purchases.</summary>
internal static class CampaignTotalsReader
{
    /// <summary>One campaign's totals, with its day-by-day series (plain SQL on prepared commands: <see cref="AppDb.ReadCampaignTotalsAsync"/>).</summary>
    public static async Task<TotalsResponse> ForCampaignAsync(AppDb db, SqliteReaders? readers, Guid campaignId, DateTime asOfUtc, CancellationToken ct)
    {
        var rows = await db.ReadCampaignTotalsAsync(readers, campaignId, ct);
        long cumulative = 0;
        var series = (await db.ReadDailyTotalsAsync(readers, campaignId, ct))
            .Select(d => new DailyTotalResponse(d.Day, d.Confirmed - d.Reversed, cumulative += d.Confirmed - d.Reversed, d.Purchases)).ToList();
        return Totals(rows, series, asOfUtc);
    }

    /// <summary>Several campaigns' totals, without series (campaign lists): one query, however many campaigns.</summary>
    public static async Task<Dictionary<Guid, TotalsResponse>> ForCampaignsAsync(
        AppDb db, IReadOnlyCollection<Guid> campaignIds, DateTime asOfUtc, CancellationToken ct)
    {
        var rows = await db.CampaignTotals.AsNoTracking()
            .Where(t => campaignIds.Contains(t.CampaignId))
            .Join(db.Charities, t => t.CharityId, c => c.Id,
                (t, c) => new CharityTotalsRow(t.CampaignId, c.Slug, c.Name, t.Confirmed, t.Reversed, t.Pending, t.Purchases, t.Remitted))
            .ToListAsync(ct);
        return campaignIds.ToDictionary(id => id, id => Totals(rows.Where(r => r.CampaignId == id), null, asOfUtc));
    }

    private static TotalsResponse Totals(IEnumerable<CharityTotalsRow> rows, List<DailyTotalResponse>? series, DateTime asOfUtc)
    {
        var charities = rows
            .Select(r => new CharityTotalsResponse(r.Slug, r.Name, r.Confirmed - r.Reversed, r.Pending, r.Purchases, r.Remitted))
            .OrderByDescending(r => r.Raised).ThenBy(r => r.Charity)
            .ToList();
        return new TotalsResponse(
            charities.Sum(c => c.Raised), charities.Sum(c => c.Pending), charities.Sum(c => c.Purchases),
            charities, series, asOfUtc, charities.Sum(c => c.Remitted));
    }
}
