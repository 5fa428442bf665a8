using CharityPromo.Api.Data;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Purchases;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Ledger;

/// <summary>
/// Posts ledger entries and moves the totals rows with them, inside the caller's transaction (the
/// <see cref="Infrastructure.WriteFilter"/>'s). Entries are saved first, so a movement the unique key
/// refuses as a duplicate never touches the totals; totals move by atomic increments, never read-modify-write.
/// </summary>
internal static class LedgerWriter
{
    public const string PurchaseCause = "purchase";

    public static LedgerEntry Entry(Purchase purchase, LedgerKind kind, DonationBreakdown parts, string cause, string? reference, DateTime now) => new()
    {
        PurchaseId = purchase.Id,
        CampaignId = purchase.CampaignId,
        CharityId = purchase.CharityId,
        Currency = purchase.Currency,
        Kind = kind,
        MerchantPledge = parts.MerchantPledge,
        Match = parts.Match,
        RoundUp = parts.RoundUp,
        AddOn = parts.AddOn,
        Amount = parts.Total,
        Cause = cause,
        Reference = reference,
        CreatedUtc = now,
    };

    /// <summary>A payment to the charity of <paramref name="amount"/> of this purchase's net pledge (parts are not split out).</summary>
    public static LedgerEntry Remittance(Purchase purchase, long amount, Guid remittanceId, string? reference, DateTime now)
    {
        var entry = Entry(purchase, LedgerKind.Remitted, new DonationBreakdown(purchase.Currency, 0, 0, 0, 0), $"remittance:{remittanceId}", reference, now);
        entry.Amount = amount;
        return entry;
    }

    /// <summary>
    /// Saves the pending changes with <paramref name="entries"/>, then applies them to the totals: one increment per
    /// totals row and per daily row however many entries move it (a purchase paid at once posts pledged and
    /// confirmed together, which leaves pending where it was).
    /// </summary>
    /// <exception cref="DbUpdateException">A unique key refused a row (nothing was applied to the totals).</exception>
    public static async Task PostAsync(AppDb db, IReadOnlyList<LedgerEntry> entries, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Ledger entries are posted inside the write transaction only.");

        db.Ledger.AddRange(entries);
        await db.SaveChangesGuardedAsync(ct);
        foreach (var row in entries.Where(e => e.Kind != LedgerKind.Remitted).GroupBy(e => (e.CampaignId, e.CharityId, e.Currency)))
            await ApplyAsync(db, row.Key, Delta.Of(row), ct);
        foreach (var day in entries.Where(e => e.Kind is LedgerKind.Confirmed or LedgerKind.Reversed).GroupBy(e => (e.CampaignId, Day: DateOnly.FromDateTime(e.CreatedUtc))))
            await ApplyDailyAsync(db, day.Key.CampaignId, day.Key.Day, Delta.Of(day), ct);
    }

    /// <summary>What a set of entries does to a totals row. Paying a charity (remitted) moves money already raised: no change.</summary>
    private readonly record struct Delta(long Pending, long Confirmed, long Reversed, long Purchases)
    {
        public static Delta Of(IEnumerable<LedgerEntry> entries) => entries.Aggregate(new Delta(), (d, e) => e.Kind switch
        {
            LedgerKind.Pledged => d with { Pending = d.Pending + e.Amount },
            LedgerKind.Confirmed => d with { Pending = d.Pending - e.Amount, Confirmed = d.Confirmed + e.Amount, Purchases = d.Purchases + 1 },
            LedgerKind.Voided => d with { Pending = d.Pending - e.Amount },
            LedgerKind.Reversed => d with { Reversed = d.Reversed + e.Amount },
            LedgerKind.Remitted => d,
            _ => throw new ArgumentOutOfRangeException(nameof(entries), e.Kind, "Unknown ledger kind."),
        });
    }

    private static async Task ApplyAsync(AppDb db, (Guid CampaignId, Guid CharityId, string Currency) key, Delta d, CancellationToken ct)
    {
        var updated = await db.CampaignTotals
            .Where(t => t.CampaignId == key.CampaignId && t.CharityId == key.CharityId && t.Currency == key.Currency)
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Pending, t => t.Pending + d.Pending)
                .SetProperty(t => t.Confirmed, t => t.Confirmed + d.Confirmed)
                .SetProperty(t => t.Reversed, t => t.Reversed + d.Reversed)
                .SetProperty(t => t.Purchases, t => t.Purchases + d.Purchases), ct);
        if (updated != 1)
            throw new InvalidOperationException($"No totals row for campaign {key.CampaignId}, charity {key.CharityId}, {key.Currency}.");
    }

    private static async Task ApplyDailyAsync(AppDb db, Guid campaignId, DateOnly day, Delta d, CancellationToken ct)
    {
        var updated = await db.DailyTotals.Where(t => t.CampaignId == campaignId && t.Day == day)
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Confirmed, t => t.Confirmed + d.Confirmed)
                .SetProperty(t => t.Reversed, t => t.Reversed + d.Reversed)
                .SetProperty(t => t.Purchases, t => t.Purchases + d.Purchases), ct);
        if (updated == 0)
        {
            // First movement of the day. Another instance may insert the same row at the same moment: then add to its row.
            var row = new DailyTotal { CampaignId = campaignId, Day = day, Confirmed = d.Confirmed, Reversed = d.Reversed, Purchases = d.Purchases };
            db.DailyTotals.Add(row);
            try
            {
                await db.SaveChangesGuardedAsync(ct);
            }
            catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
            {
                db.Entry(row).State = EntityState.Detached;
                await ApplyDailyAsync(db, campaignId, day, d, ct);
            }
        }
    }
}
