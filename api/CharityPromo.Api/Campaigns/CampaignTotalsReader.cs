using CharityPromo.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Campaigns;

/// <summary>Reads campaign totals from the totals rows only: the cost never grows with the number of purchases.</summary>
internal static class CampaignTotalsReader
{
    public static async Task<Dictionary<Guid, TotalsResponse>> ForCampaignsAsync(
        AppDb db, IReadOnlyCollection<Guid> campaignIds, bool withDaily, DateTime asOfUtc, CancellationToken ct)
    {
        var rows = await db.CampaignTotals.AsNoTracking()
            .Where(t => campaignIds.Contains(t.CampaignId))
            .Join(db.Charities, t => t.CharityId, c => c.Id,
                (t, c) => new { t.CampaignId, c.Slug, c.Name, t.Confirmed, t.Reversed, t.Pending, t.Purchases })
            .ToListAsync(ct);

        var daily = withDaily
            ? await db.DailyTotals.AsNoTracking().Where(d => campaignIds.Contains(d.CampaignId))
                .OrderBy(d => d.Day).ToListAsync(ct)
            : [];

        return campaignIds.ToDictionary(id => id, id =>
        {
            var charities = rows.Where(r => r.CampaignId == id)
                .Select(r => new CharityTotalsResponse(r.Slug, r.Name, r.Confirmed - r.Reversed, r.Pending, r.Purchases))
                .OrderByDescending(r => r.Raised).ThenBy(r => r.Charity)
                .ToList();
            List<DailyTotalResponse>? series = null;
            if (withDaily)
            {
                long cumulative = 0;
                series = daily.Where(d => d.CampaignId == id)
                    .Select(d => new DailyTotalResponse(d.Day, d.Confirmed - d.Reversed, cumulative += d.Confirmed - d.Reversed, d.Purchases))
                    .ToList();
            }
            return new TotalsResponse(
                charities.Sum(c => c.Raised), charities.Sum(c => c.Pending), charities.Sum(c => c.Purchases),
                charities, series, asOfUtc);
        });
    }
}
