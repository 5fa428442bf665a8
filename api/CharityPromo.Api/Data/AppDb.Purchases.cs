using CharityPromo.Api.Pledges;
using CharityPromo.Api.Purchases;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Data;

/// <summary>What a receipt page shows of a purchase, its campaign and its charity.</summary>
/// <param name="Purchase">The purchase's columns a receipt shows (and its money rules need); not tracked.</param>
internal sealed record ReceiptRow(
    Purchase Purchase, string CampaignSlug, string CampaignName, string CampaignCurrency, long CampaignGoal, long CampaignRaised,
    string CharitySlug, string CharityName, long? ImpactAmount, string? ImpactSingular, string? ImpactPlural);

internal sealed partial class AppDb
{
    /// <summary>
    /// Whether the customer has at least <paramref name="minimum"/> purchases that loyalty counts (paid, not fully refunded),
    /// and the campaign's match budget and campaign cap used so far: one read, one round trip on PostgreSQL. The probe stops
    /// at the minimum (is there a row at offset minimum − 1?) rather than counting the customer's whole history, which a
    /// regular, or a till that sends one reference for every walk-in, makes long — and the single writer runs it for every purchase.
    /// </summary>
    public async Task<(bool HasMinimum, long MatchUsed, long CapUsed)> ReadLoyaltyAsync(SqliteReaders? readers, string? customerHash, int minimum, Guid campaignId,
        CancellationToken ct)
    {
        var read = await this.ReadLongsAsync(readers, $"""
            SELECT CASE WHEN EXISTS (SELECT 1 FROM "Purchases" WHERE "CustomerHash" = {customerHash}
                        AND "Status" IN ({nameof(PurchaseStatus.Confirmed)}, {nameof(PurchaseStatus.PartiallyRefunded)})
                        LIMIT 1 OFFSET {Math.Max(minimum - 1, 0)}) THEN 1 ELSE 0 END,
                   (SELECT "MatchUsed" FROM "Campaigns" WHERE "Id" = {campaignId}),
                   (SELECT "CapUsed" FROM "Campaigns" WHERE "Id" = {campaignId})
            """, ct);
        return (read[0] == 1, read[1], read[2]);
    }

    /// <summary>
    /// Takes <paramref name="match"/> of the campaign's match budget and <paramref name="cap"/> of its campaign cap if both
    /// are still there: changes 1 row, or 0 when another instance used them meanwhile. A zero amount asks nothing of its
    /// budget. Batched with the purchase's own statements, so built here and run by the ledger writer.
    /// </summary>
    public static FormattableString ReserveBudgets(Guid campaignId, long match, long cap) => $"""
        UPDATE "Campaigns" SET "MatchUsed" = "MatchUsed" + {match}, "CapUsed" = "CapUsed" + {cap}
        WHERE "Id" = {campaignId} AND ({match} = 0 OR "MatchUsed" + {match} <= "MatchBudget") AND ({cap} = 0 OR "CapUsed" + {cap} <= "CampaignCap")
        """;

    /// <summary>
    /// Gives <paramref name="amount"/> of merchant pledge back to the campaign cap (voids, refunds, lost disputes; negative
    /// when a failed refund puts its pledge back), on a campaign that has a cap.
    /// </summary>
    public static FormattableString ReturnToCap(Guid campaignId, long amount) => $"""
        UPDATE "Campaigns" SET "CapUsed" = "CapUsed" - {amount} WHERE "Id" = {campaignId} AND "CampaignCap" IS NOT NULL
        """;

    /// <summary>
    /// Removes the customer's hash from every purchase that carries it; returns how many. SQLite would leave the old value
    /// in the page's free space, so on SQLite this write zeroes what it frees.
    /// </summary>
    public async Task<int> UnlinkCustomerAsync(string customerHash, CancellationToken ct)
    {
        var sqlite = Database.IsSqlite();
        if (sqlite) await Database.ExecuteSqlRawAsync("PRAGMA secure_delete = ON", ct);
        // The requests that made the shopper's purchases go too: their fingerprints were taken over bodies that carried the
        // reference. A retry of one under its old Idempotency-Key is then a 422 (key reused), never a second purchase.
        var made = Purchases.Where(p => p.CustomerHash == customerHash && p.CreationKey != null);
        await IdempotencyRecords.Where(r => made.Any(p => p.ClientId == r.ClientId && p.CreationKey == r.Key))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Fingerprint, ""), ct);
        var unlinked = await Purchases.Where(p => p.CustomerHash == customerHash)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.CustomerHash, (string?)null).SetProperty(p => p.CreationFingerprint, (string?)null), ct);
        if (sqlite) await Database.ExecuteSqlRawAsync("PRAGMA secure_delete = OFF", ct);
        return unlinked;
    }

    /// <summary>The purchase with this (normalised) receipt code, with what its campaign has raised: an anonymous read, on a prepared command.</summary>
    public Task<ReceiptRow?> FindReceiptAsync(SqliteReaders readers, string code, CancellationToken ct) => this.ReadRowAsync(readers, $"""
        SELECT p."ReceiptCode", p."CreatedUtc", p."Status", p."Currency", p."MerchantPledge", p."Match", p."RoundUp", p."AddOn",
               p."DonationTotal", p."Reversed", c."Slug", c."Name", c."Currency", c."Goal",
               (SELECT CAST(COALESCE(SUM(t."Confirmed" - t."Reversed"), 0) AS BIGINT) FROM "CampaignTotals" t WHERE t."CampaignId" = c."Id"),
               ch."Slug", ch."Name", c."ImpactAmount", c."ImpactSingular", c."ImpactPlural", p."ConfirmedUtc"
        FROM "Purchases" p
        JOIN "Campaigns" c ON c."Id" = p."CampaignId"
        JOIN "Charities" ch ON ch."Id" = p."CharityId"
        WHERE p."ReceiptCode" = {code}
        """, row => new ReceiptRow(
            new Purchase
            {
                ReceiptCode = row.GetString(0), CreatedUtc = DateTime.SpecifyKind(row.GetDateTime(1), DateTimeKind.Utc),
                Status = Enum.Parse<PurchaseStatus>(row.GetString(2)), Currency = row.GetString(3),
                Donation = new DonationBreakdown(row.GetInt64(4), row.GetInt64(5), row.GetInt64(6), row.GetInt64(7)),
                DonationTotal = row.GetInt64(8), Reversed = row.GetInt64(9),
                ConfirmedUtc = row.IsDBNull(20) ? null : DateTime.SpecifyKind(row.GetDateTime(20), DateTimeKind.Utc),
                OrderId = "", PaymentMethod = "", PaymentStatus = "", // not read: a receipt shows neither
            },
            row.GetString(10), row.GetString(11), row.GetString(12), row.GetInt64(13), row.GetInt64(14), row.GetString(15), row.GetString(16),
            row.IsDBNull(17) ? null : row.GetInt64(17), row.IsDBNull(18) ? null : row.GetString(18), row.IsDBNull(19) ? null : row.GetString(19)), ct);
}
