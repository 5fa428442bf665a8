using CharityPromo.Api.Data;
using CharityPromo.Api.Purchases;
using CharityPromo.Api.Remittances;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Reports;

/// <summary>
/// Pledges confirmed in one UTC month for one charity and currency, and what became of them since:
/// <c>reversed</c> by refunds, <c>net</c> = pledged − reversed, <c>remitted</c> in paid batches, and
/// <c>outstanding</c> = net − remitted.
/// </summary>
public sealed record SummaryLine(string Charity, string Month, string Currency, long Pledged, long Reversed, long Net, long Remitted, long Outstanding, long Purchases);

public sealed record CampaignSummaryLine(string Campaign, string Currency, long Pledged, long Reversed, long Net, long Remitted, long Outstanding, long Purchases);

public sealed record SummaryReport(string? FromUtc, string? ToUtc, IReadOnlyList<SummaryLine> ByCharityMonth, IReadOnlyList<CampaignSummaryLine> ByCampaign);

/// <summary>Net pledges not yet paid to the charity, per currency, by age since confirmation.</summary>
public sealed record LiabilityLine(string Charity, string Currency, long Days0To30, long Days31To60, long Days61To90, long Over90Days, long Total);

public sealed record LiabilityReport(string AsOfUtc, IReadOnlyList<LiabilityLine> Charities);

internal static class SummaryReports
{

    private static IQueryable<Purchase> PaidPurchases(AppDb db, DateTime? fromUtc, DateTime? toUtc)
    {
        var purchases = db.Purchases.AsNoTracking().Where(Purchase.Paid);
        if (fromUtc is { } from) purchases = purchases.Where(p => p.ConfirmedUtc >= from);
        if (toUtc is { } to) purchases = purchases.Where(p => p.ConfirmedUtc < to);
        return purchases;
    }

    /// <summary>Lines of paid batches, less what reversed transfers reopened, with the purchase they belong to.</summary>
    private static IQueryable<PaidLine> PaidLines(AppDb db, DateTime? fromUtc, DateTime? toUtc) =>
        db.RemittanceLines.AsNoTracking()
            .Join(db.Remittances.Where(r => r.Status == RemittanceStatus.Paid), l => l.RemittanceId, r => r.Id, (l, r) => l)
            .Join(PaidPurchases(db, fromUtc, toUtc), l => l.PurchaseId, p => p.Id, (l, p) => new PaidLine { Purchase = p, Amount = l.Amount - l.Reopened });

    private sealed class PaidLine
    {
        public required Purchase Purchase { get; init; }
        public long Amount { get; init; }
    }

    private sealed record Figures(long Pledged, long Reversed, long Remitted, long Purchases);

    public static async Task<SummaryReport> SummaryAsync(AppDb db, DateTime? fromUtc, DateTime? toUtc, CancellationToken ct)
    {
        var pledgedByMonth = await PaidPurchases(db, fromUtc, toUtc)
            .GroupBy(p => new { p.CharityId, p.Currency, p.ConfirmedUtc!.Value.Year, p.ConfirmedUtc!.Value.Month })
            .Select(g => new { g.Key, Pledged = g.Sum(p => p.DonationTotal), Reversed = g.Sum(p => p.Reversed), Purchases = g.LongCount() })
            .ToListAsync(ct);
        var remittedByMonth = await PaidLines(db, fromUtc, toUtc)
            .GroupBy(l => new { l.Purchase.CharityId, l.Purchase.Currency, l.Purchase.ConfirmedUtc!.Value.Year, l.Purchase.ConfirmedUtc!.Value.Month })
            .Select(g => new { g.Key, Remitted = g.Sum(l => l.Amount) })
            .ToDictionaryAsync(x => x.Key, x => x.Remitted, ct);
        var pledgedByCampaign = await PaidPurchases(db, fromUtc, toUtc)
            .GroupBy(p => new { p.CampaignId, p.Currency })
            .Select(g => new { g.Key, Pledged = g.Sum(p => p.DonationTotal), Reversed = g.Sum(p => p.Reversed), Purchases = g.LongCount() })
            .ToListAsync(ct);
        var remittedByCampaign = await PaidLines(db, fromUtc, toUtc)
            .GroupBy(l => new { l.Purchase.CampaignId, l.Purchase.Currency })
            .Select(g => new { g.Key, Remitted = g.Sum(l => l.Amount) })
            .ToDictionaryAsync(x => x.Key, x => x.Remitted, ct);
        var charities = await db.Charities.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Slug, ct);
        var campaigns = await db.Campaigns.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Slug, ct);

        return new SummaryReport(
            fromUtc is { } f ? PledgeReport.Iso(f) : null, toUtc is { } t ? PledgeReport.Iso(t) : null,
            pledgedByMonth
                .Select(r => (r, Remitted: remittedByMonth.GetValueOrDefault(r.Key)))
                .Select(x => new SummaryLine(charities[x.r.Key.CharityId], $"{x.r.Key.Year:0000}-{x.r.Key.Month:00}", x.r.Key.Currency,
                    x.r.Pledged, x.r.Reversed, x.r.Pledged - x.r.Reversed, x.Remitted, x.r.Pledged - x.r.Reversed - x.Remitted, x.r.Purchases))
                .OrderBy(l => l.Charity).ThenBy(l => l.Month).ThenBy(l => l.Currency).ToList(),
            pledgedByCampaign
                .Select(r => (r, Remitted: remittedByCampaign.GetValueOrDefault(r.Key)))
                .Select(x => new CampaignSummaryLine(campaigns[x.r.Key.CampaignId], x.r.Key.Currency, x.r.Pledged, x.r.Reversed,
                    x.r.Pledged - x.r.Reversed, x.Remitted, x.r.Pledged - x.r.Reversed - x.Remitted, x.r.Purchases))
                .OrderBy(l => l.Campaign).ToList()); // a campaign has one currency: it cannot change once purchases exist
    }

    public static async Task<LiabilityReport> LiabilityAsync(AppDb db, DateTime nowUtc, CancellationToken ct)
    {
        // One row per charity, currency and confirmation day; bucketed here (the day count stays small).
        var netByDay = await PaidPurchases(db, null, null)
            .GroupBy(p => new { p.CharityId, p.Currency, Day = p.ConfirmedUtc!.Value.Date }, Purchase.NetGiven)
            .Select(g => new { g.Key, Net = g.Sum() })
            .ToListAsync(ct);
        var paidByDay = await PaidLines(db, null, null)
            .GroupBy(l => new { l.Purchase.CharityId, l.Purchase.Currency, Day = l.Purchase.ConfirmedUtc!.Value.Date })
            .Select(g => new { g.Key, Remitted = g.Sum(l => l.Amount) })
            .ToDictionaryAsync(x => x.Key, x => x.Remitted, ct);
        var charities = await db.Charities.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Slug, ct);
        var byDay = netByDay.Select(r => new { Slug = charities[r.Key.CharityId], r.Key.Currency, r.Key.Day, Owed = r.Net - paidByDay.GetValueOrDefault(r.Key) }).ToList();

        var lines = byDay.GroupBy(r => (r.Slug, r.Currency)).Select(g =>
        {
            long Bucket(int minDays, int maxDays) => g.Where(r => (nowUtc.Date - r.Day).Days is var age && age >= minDays && age <= maxDays).Sum(r => r.Owed);
            var a = Bucket(int.MinValue, 30);
            var b = Bucket(31, 60);
            var c = Bucket(61, 90);
            var d = Bucket(91, int.MaxValue);
            return new LiabilityLine(g.Key.Slug, g.Key.Currency, a, b, c, d, a + b + c + d);
        }).Where(l => l.Total != 0).OrderBy(l => l.Charity).ThenBy(l => l.Currency).ToList();

        return new LiabilityReport(PledgeReport.Iso(nowUtc), lines);
    }
}
