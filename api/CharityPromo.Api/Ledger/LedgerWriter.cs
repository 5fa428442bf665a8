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

    /// <summary>Saves the pending changes with <paramref name="entries"/>, then applies them to the totals.</summary>
    /// <exception cref="DbUpdateException">A unique key refused a row (nothing was applied to the totals).</exception>
    public static async Task PostAsync(AppDb db, IReadOnlyList<LedgerEntry> entries, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Ledger entries are posted inside the write transaction only.");

        db.Ledger.AddRange(entries);
        await db.SaveChangesGuardedAsync(ct);
        foreach (var entry in entries) await ApplyAsync(db, entry, ct);
    }

    private static async Task ApplyAsync(AppDb db, LedgerEntry e, CancellationToken ct)
    {
        if (e.Kind == LedgerKind.Remitted) return; // paying a charity moves money already raised: public totals stay
        var totals = db.CampaignTotals.Where(t => t.CampaignId == e.CampaignId && t.CharityId == e.CharityId && t.Currency == e.Currency);
        var amount = e.Amount;
        var updated = e.Kind switch
        {
            LedgerKind.Pledged => await totals.ExecuteUpdateAsync(s => s.SetProperty(t => t.Pending, t => t.Pending + amount), ct),
            LedgerKind.Confirmed => await totals.ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Pending, t => t.Pending - amount)
                .SetProperty(t => t.Confirmed, t => t.Confirmed + amount)
                .SetProperty(t => t.Purchases, t => t.Purchases + 1), ct),
            LedgerKind.Voided => await totals.ExecuteUpdateAsync(s => s.SetProperty(t => t.Pending, t => t.Pending - amount), ct),
            LedgerKind.Reversed => await totals.ExecuteUpdateAsync(s => s.SetProperty(t => t.Reversed, t => t.Reversed + amount), ct),
            _ => throw new ArgumentOutOfRangeException(nameof(e), e.Kind, "Unknown ledger kind."),
        };
        if (updated != 1)
            throw new InvalidOperationException($"No totals row for campaign {e.CampaignId}, charity {e.CharityId}, {e.Currency}.");

        if (e.Kind is LedgerKind.Confirmed or LedgerKind.Reversed) await ApplyDailyAsync(db, e, ct);
    }

    private static async Task ApplyDailyAsync(AppDb db, LedgerEntry e, CancellationToken ct)
    {
        var day = DateOnly.FromDateTime(e.CreatedUtc);
        var confirmed = e.Kind == LedgerKind.Confirmed ? e.Amount : 0;
        var reversed = e.Kind == LedgerKind.Reversed ? e.Amount : 0;
        var purchases = e.Kind == LedgerKind.Confirmed ? 1 : 0;

        var updated = await db.DailyTotals.Where(d => d.CampaignId == e.CampaignId && d.Day == day)
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Confirmed, d => d.Confirmed + confirmed)
                .SetProperty(d => d.Reversed, d => d.Reversed + reversed)
                .SetProperty(d => d.Purchases, d => d.Purchases + purchases), ct);
        if (updated == 0)
        {
            // First movement of the day. Another instance may insert the same row at the same moment: then add to its row.
            var row = new DailyTotal { CampaignId = e.CampaignId, Day = day, Confirmed = confirmed, Reversed = reversed, Purchases = purchases };
            db.DailyTotals.Add(row);
            try
            {
                await db.SaveChangesGuardedAsync(ct);
            }
            catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
            {
                db.Entry(row).State = EntityState.Detached;
                await ApplyDailyAsync(db, e, ct);
            }
        }
    }
}
