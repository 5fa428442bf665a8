using CharityPromo.Api.Data;
using CharityPromo.Api.Ledger;
using CharityPromo.Api.Purchases;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Reports;

/// <summary>
/// Per charity, month (UTC, of the movement) and currency. <c>pledged</c> = donations confirmed,
/// <c>reversed</c> = taken back by refunds; <c>net</c> = pledged − reversed = remitted + outstanding.
/// </summary>
public sealed record SummaryLine(string Charity, string Month, string Currency, long Pledged, long Reversed, long Net, long Remitted, long Outstanding, long Purchases);

public sealed record CampaignSummaryLine(string Campaign, string Currency, long Pledged, long Reversed, long Net, long Purchases);

public sealed record SummaryReport(string? FromUtc, string? ToUtc, IReadOnlyList<SummaryLine> ByCharityMonth, IReadOnlyList<CampaignSummaryLine> ByCampaign);

/// <summary>Net pledges not yet remitted, per charity and currency, by age since confirmation.</summary>
public sealed record LiabilityLine(string Charity, string Currency, long Days0To30, long Days31To60, long Days61To90, long Over90Days, long Total);

public sealed record LiabilityReport(string AsOfUtc, IReadOnlyList<LiabilityLine> Charities);

internal static class SummaryReports
{
    public static async Task<SummaryReport> SummaryAsync(AppDb db, DateTime? fromUtc, DateTime? toUtc, CancellationToken ct)
    {
        var ledger = db.Ledger.AsNoTracking().Where(l => l.Kind == LedgerKind.Confirmed || l.Kind == LedgerKind.Reversed);
        if (fromUtc is { } from) ledger = ledger.Where(l => l.CreatedUtc >= from);
        if (toUtc is { } to) ledger = ledger.Where(l => l.CreatedUtc < to);

        var byCharityMonth = await ledger
            .GroupBy(l => new { l.CharityId, l.Currency, l.CreatedUtc.Year, l.CreatedUtc.Month })
            .Select(g => new
            {
                g.Key.CharityId, g.Key.Currency, g.Key.Year, g.Key.Month,
                Pledged = g.Sum(l => l.Kind == LedgerKind.Confirmed ? l.Amount : 0),
                Reversed = g.Sum(l => l.Kind == LedgerKind.Reversed ? l.Amount : 0),
                Purchases = g.Sum(l => l.Kind == LedgerKind.Confirmed ? 1L : 0L),
            })
            .Join(db.Charities, x => x.CharityId, c => c.Id, (x, c) => new { x, c.Slug })
            .ToListAsync(ct);

        var byCampaign = await ledger
            .GroupBy(l => new { l.CampaignId, l.Currency })
            .Select(g => new
            {
                g.Key.CampaignId, g.Key.Currency,
                Pledged = g.Sum(l => l.Kind == LedgerKind.Confirmed ? l.Amount : 0),
                Reversed = g.Sum(l => l.Kind == LedgerKind.Reversed ? l.Amount : 0),
                Purchases = g.Sum(l => l.Kind == LedgerKind.Confirmed ? 1L : 0L),
            })
            .Join(db.Campaigns, x => x.CampaignId, c => c.Id, (x, c) => new { x, c.Slug })
            .ToListAsync(ct);

        return new SummaryReport(
            fromUtc is { } f ? PledgeReport.Iso(f) : null, toUtc is { } t ? PledgeReport.Iso(t) : null,
            byCharityMonth
                // Remittances are not recorded yet, so everything net is outstanding.
                .Select(r => new SummaryLine(r.Slug, $"{r.x.Year:0000}-{r.x.Month:00}", r.x.Currency, r.x.Pledged, r.x.Reversed,
                    r.x.Pledged - r.x.Reversed, Remitted: 0, Outstanding: r.x.Pledged - r.x.Reversed, r.x.Purchases))
                .OrderBy(l => l.Charity).ThenBy(l => l.Month).ThenBy(l => l.Currency).ToList(),
            byCampaign
                .Select(r => new CampaignSummaryLine(r.Slug, r.x.Currency, r.x.Pledged, r.x.Reversed, r.x.Pledged - r.x.Reversed, r.x.Purchases))
                .OrderBy(l => l.Campaign).ThenBy(l => l.Currency).ToList());
    }

    public static async Task<LiabilityReport> LiabilityAsync(AppDb db, DateTime nowUtc, CancellationToken ct)
    {
        PurchaseStatus[] paid = [PurchaseStatus.Confirmed, PurchaseStatus.PartiallyRefunded, PurchaseStatus.Refunded];
        // One row per charity, currency and confirmation day; bucketed here (the day count stays small).
        var byDay = await db.Purchases.AsNoTracking()
            .Where(p => paid.Contains(p.Status) && p.ConfirmedUtc != null)
            .GroupBy(p => new { p.CharityId, p.Currency, Day = p.ConfirmedUtc!.Value.Date })
            .Select(g => new { g.Key.CharityId, g.Key.Currency, g.Key.Day, Net = g.Sum(p => p.DonationTotal - p.Reversed) })
            .Join(db.Charities, x => x.CharityId, c => c.Id, (x, c) => new { x.Currency, x.Day, x.Net, c.Slug })
            .ToListAsync(ct);

        var lines = byDay.GroupBy(r => (r.Slug, r.Currency)).Select(g =>
        {
            long Bucket(int minDays, int maxDays) => g.Where(r => (nowUtc.Date - r.Day).Days is var age && age >= minDays && age <= maxDays).Sum(r => r.Net);
            var a = Bucket(0, 30);
            var b = Bucket(31, 60);
            var c = Bucket(61, 90);
            var d = Bucket(91, int.MaxValue);
            return new LiabilityLine(g.Key.Slug, g.Key.Currency, a, b, c, d, a + b + c + d);
        }).Where(l => l.Total != 0).OrderBy(l => l.Charity).ThenBy(l => l.Currency).ToList();

        return new LiabilityReport(PledgeReport.Iso(nowUtc), lines);
    }
}
