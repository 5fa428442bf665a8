using System.Globalization;
using CharityPromo.Api.Data;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Purchases;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Reports;

/// <summary>
/// One purchase's pledge as finance reads it. Amounts are minor-unit integers, with the money columns
/// also as decimal strings in major units (<c>…Major</c>) so a spreadsheet shows 49.99, not 4999.
/// </summary>
public sealed record PledgeRow(
    Guid PurchaseId, string OrderId, string ReceiptCode, string? PaymentReference, string PaymentMethod,
    string CreatedUtc, string? ConfirmedUtc, string Campaign, string Charity, string Currency,
    long Amount, string AmountMajor, long MerchantPledge, long Match, long RoundUp, long AddOn,
    long Total, string TotalMajor, long Refunded, long Reversed, long Net, string NetMajor, string Status);

/// <summary>A page of the JSON export; pass <c>next</c> as <c>after</c> for the following page.</summary>
public sealed record PledgePage(IReadOnlyList<PledgeRow> Items, Guid? Next);

internal sealed record PledgeFilter(DateTime? FromUtc, DateTime? ToUtc, Guid? CampaignId, Guid? CharityId, PurchaseStatus? Status, string? Currency);

internal static class PledgeReport
{
    /// <summary>
    /// Purchases matching the filter, in purchase-id order (ids are time-ordered UUIDv7s, so this is
    /// creation order, and a stable key for paging), as rows.
    /// </summary>
    public static IQueryable<PledgeRowData> Query(AppDb db, PledgeFilter f, Guid? after = null)
    {
        var purchases = db.Purchases.AsNoTracking();
        if (f.FromUtc is { } from) purchases = purchases.Where(p => p.CreatedUtc >= from);
        if (f.ToUtc is { } to) purchases = purchases.Where(p => p.CreatedUtc < to);
        if (f.CampaignId is { } campaign) purchases = purchases.Where(p => p.CampaignId == campaign);
        if (f.CharityId is { } charity) purchases = purchases.Where(p => p.CharityId == charity);
        if (f.Status is { } status) purchases = purchases.Where(p => p.Status == status);
        if (f.Currency is { } currency) purchases = purchases.Where(p => p.Currency == currency);
        if (after is { } cursor) purchases = purchases.Where(p => p.Id.CompareTo(cursor) > 0);
        return purchases
            .OrderBy(p => p.Id)
            .Join(db.Campaigns, p => p.CampaignId, c => c.Id, (p, c) => new { p, Campaign = c.Slug })
            .Join(db.Charities, x => x.p.CharityId, ch => ch.Id, (x, ch) => new PledgeRowData(
                x.p.Id, x.p.OrderId, x.p.ReceiptCode, x.p.PaymentReference, x.p.PaymentMethod, x.p.CreatedUtc, x.p.ConfirmedUtc,
                x.Campaign, ch.Slug, x.p.Currency, x.p.Amount, x.p.Donation.MerchantPledge, x.p.Donation.Match, x.p.Donation.RoundUp, x.p.Donation.AddOn,
                x.p.DonationTotal, x.p.Refunded, x.p.Reversed, x.p.Status));
    }

    public static PledgeRow ToRow(this PledgeRowData p)
    {
        string Major(long minor) => Currencies.ToMajorString(minor, p.Currency);
        var net = p.ConfirmedUtc is null ? 0 : p.DonationTotal - p.Reversed; // an unpaid pledge has given nothing yet
        return new PledgeRow(
            p.Id, p.OrderId, p.ReceiptCode, p.PaymentReference, p.PaymentMethod,
            Iso(p.CreatedUtc), p.ConfirmedUtc is { } c ? Iso(c) : null, p.Campaign, p.Charity, p.Currency,
            p.Amount, Major(p.Amount), p.MerchantPledge, p.Match, p.RoundUp, p.AddOn,
            p.DonationTotal, Major(p.DonationTotal), p.Refunded, p.Reversed, net, Major(net), StatusName(p.Status));
    }

    /// <summary>UTC to the millisecond, as every report and export writes it: 2026-06-01T12:34:56.789Z.</summary>
    public static string Iso(DateTime utc) => string.Create(24, utc, static (text, t) =>
    {
        // By hand rather than a custom format string: an export formats two per row (docs/BENCHMARKS.md).
        "0000-00-00T00:00:00.000Z".CopyTo(text);
        Digits(text.Slice(0, 4), t.Year); Digits(text.Slice(5, 2), t.Month); Digits(text.Slice(8, 2), t.Day);
        Digits(text.Slice(11, 2), t.Hour); Digits(text.Slice(14, 2), t.Minute); Digits(text.Slice(17, 2), t.Second);
        Digits(text.Slice(20, 3), t.Millisecond);

        static void Digits(Span<char> into, int value)
        {
            for (var i = into.Length - 1; i >= 0; i--, value /= 10) into[i] = (char)('0' + value % 10);
        }
    });

    public static string StatusName(PurchaseStatus status) => StatusNames[(int)status]; // the values are 0, 1, 2…

    private static readonly string[] StatusNames = Enum.GetValues<PurchaseStatus>()
        .Select(s => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(s.ToString())).ToArray();
}

/// <summary>Just the columns a pledge row shows (a million-row export reads no more than it writes).</summary>
internal sealed record PledgeRowData(
    Guid Id, string OrderId, string ReceiptCode, string? PaymentReference, string PaymentMethod, DateTime CreatedUtc, DateTime? ConfirmedUtc,
    string Campaign, string Charity, string Currency, long Amount, long MerchantPledge, long Match, long RoundUp, long AddOn,
    long DonationTotal, long Refunded, long Reversed, PurchaseStatus Status);
