using CharityPromo.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Campaigns;

/// <summary>Reads campaign totals from the totals rows only: the cost never grows with the number of purchases.</summary>
internal static class CampaignTotalsReader
{
    private sealed record TotalsRow(Guid CampaignId, string Slug, string Name, long Confirmed, long Reversed, long Pending, long Purchases);

    /// <summary>
    /// One campaign's totals, with its day-by-day series: what every public campaign read (uncached) and every campaign
    /// page asks for, so plain SQL on commands kept prepared (where <see cref="DirectSql.QueryAsync"/> runs them; pass
    /// <paramref name="readers"/> outside a transaction). EF's compiled queries made a new command, compiled on each call.
    /// </summary>
    public static async Task<TotalsResponse> ForCampaignAsync(AppDb db, SqliteReaders? readers, Guid campaignId, DateTime asOfUtc, CancellationToken ct)
    {
        var rows = await db.QueryAsync(readers, $"""
            SELECT t."CampaignId", c."Slug", c."Name", t."Confirmed", t."Reversed", t."Pending", t."Purchases"
            FROM "CampaignTotals" t JOIN "Charities" c ON c."Id" = t."CharityId"
            WHERE t."CampaignId" = {campaignId}
            """, async (row, ct) =>
        {
            var read = new List<TotalsRow>();
            while (await row.ReadAsync(ct))
                read.Add(new(row.GetGuid(0), row.GetString(1), row.GetString(2), row.GetInt64(3), row.GetInt64(4), row.GetInt64(5), row.GetInt64(6)));
            return read;
        }, ct);
        var series = await db.QueryAsync(readers, $"""
            SELECT "Day", "Confirmed", "Reversed", "Purchases" FROM "DailyTotals" WHERE "CampaignId" = {campaignId} ORDER BY "Day"
            """, async (row, ct) =>
        {
            var days = new List<DailyTotalResponse>();
            long cumulative = 0;
            while (await row.ReadAsync(ct))
            {
                var net = row.GetInt64(1) - row.GetInt64(2);
                days.Add(new(row.GetFieldValue<DateOnly>(0), net, cumulative += net, row.GetInt64(3)));
            }
            return days;
        }, ct);
        return Totals(rows, series, asOfUtc);
    }

    /// <summary>Several campaigns' totals, without series (campaign lists): one query, however many campaigns.</summary>
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
