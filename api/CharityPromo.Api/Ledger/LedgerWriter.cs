using CharityPromo.Api.Data;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Purchases;
using CharityPromo.Api.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Ledger;

/// <summary>
/// Posts ledger entries and moves the totals rows with them, inside the caller's transaction (the one
/// <see cref="Infrastructure.Writes"/> runs every write in). Entries are saved first, so a movement the unique key
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
        Donation = parts,
        Amount = parts.Total,
        Cause = cause,
        Reference = reference,
        CreatedUtc = now,
    };

    /// <summary>A payment to the charity of <paramref name="amount"/> of this purchase's net pledge (parts are not split out).</summary>
    public static LedgerEntry Remittance(Purchase purchase, long amount, Guid remittanceId, string? reference, DateTime now)
    {
        var entry = Entry(purchase, LedgerKind.Remitted, DonationBreakdown.None, $"remittance:{remittanceId}", reference, now);
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
        RequireTransaction(db);
        db.Ledger.AddRange(entries);
        await db.SaveChangesGuardedAsync(ct);
        foreach (var increment in Increments(entries))
            increment.Check(await db.ExecuteAsync(increment.Sql, ct));
        if (GoalCheck(entries) is { } goal && await db.ExecuteAsync(goal.Sql, ct) == 1) await GoalReachedAsync(db, goal, ct);
    }

    /// <summary>
    /// Inserts a remittance batch's entries without change tracking (a batch pays thousands of pledges at once, and
    /// tracking each one would hold the single writer several times longer), and adds them to what each totals row says
    /// was paid to the charity: one increment per row, however many entries.
    /// </summary>
    /// <exception cref="DbUpdateException">A unique key refused a row (none was inserted, nothing was applied).</exception>
    public static async Task PostRemittedAsync(AppDb db, IReadOnlyList<LedgerEntry> entries, CancellationToken ct)
    {
        RequireTransaction(db);
        if (entries.Any(e => e.Kind != LedgerKind.Remitted))
            throw new ArgumentException("Only remittance entries move what was paid and nothing else.", nameof(entries));
        var increments = entries.GroupBy(e => (e.CampaignId, e.CharityId, e.Currency))
            .Select(row => new Increment(AppDb.AddToRemitted(row.Key.CampaignId, row.Key.CharityId, row.Key.Currency, row.Sum(e => e.Amount)), row.Key))
            .ToList();
        var changed = await db.InsertAsync(entries, increments.Select(i => i.Sql).ToList(), ct);
        for (var i = 0; i < increments.Count; i++) increments[i].Check(changed[i]);
    }

    /// <summary>
    /// Inserts a new purchase with its first entries and applies them to the totals, without change tracking and, on
    /// PostgreSQL, in one round trip (every purchase takes this path on the writer thread: <see cref="DirectSql"/>).
    /// <paramref name="alongside"/> joins that round trip (the match reservation), and so do <paramref name="events"/>
    /// (the webhook outbox's statements); returns the rows <paramref name="alongside"/> changed.
    /// </summary>
    /// <exception cref="DbUpdateException">A unique key refused a row (nothing was inserted or applied).</exception>
    public static async Task<int> PostNewPurchaseAsync(AppDb db, Purchase purchase, IReadOnlyList<LedgerEntry> entries,
        FormattableString? alongside, IReadOnlyList<FormattableString> events, CancellationToken ct)
    {
        RequireTransaction(db);
        var increments = Increments(entries);
        var statements = increments.Select(i => i.Sql).ToList();
        var goal = GoalCheck(entries);
        if (goal is not null) statements.Add(goal.Sql); // after the increments: it reads the totals they moved
        if (alongside is not null) statements.Add(alongside);
        statements.AddRange(events);
        var changed = await db.InsertAsync([purchase, .. entries], statements, ct);
        for (var i = 0; i < increments.Count; i++) increments[i].Check(changed[i]);
        if (goal is not null && changed[increments.Count] == 1) await GoalReachedAsync(db, goal, ct);
        return alongside is null ? 0 : changed[increments.Count + (goal is null ? 0 : 1)];
    }

    /// <summary>
    /// Only a confirmation raises a campaign's total, so only one can take it to its goal: the statement that marks the
    /// goal reached the first time it is (<see cref="AppDb.MarkGoalReached"/>), run after the totals moved.
    /// </summary>
    private static GoalCheckStatement? GoalCheck(IReadOnlyList<LedgerEntry> entries) =>
        entries.FirstOrDefault(e => e.Kind == LedgerKind.Confirmed) is { } confirmed
            ? new(AppDb.MarkGoalReached(confirmed.CampaignId, confirmed.CreatedUtc), confirmed.CampaignId, confirmed.CreatedUtc)
            : null;

    private sealed record GoalCheckStatement(FormattableString Sql, Guid CampaignId, DateTime Now);

    private static Task GoalReachedAsync(AppDb db, GoalCheckStatement goal, CancellationToken ct) =>
        WebhookOutbox.CampaignAsync(db, WebhookEventTypes.CampaignGoalReached, goal.CampaignId, goal.Now, ct);

    private static void RequireTransaction(AppDb db)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Ledger entries are posted inside the write transaction only.");
    }

    /// <summary>The increments that apply these entries to the campaign cap (what voids and reversals give back), the totals rows and the daily rows.</summary>
    private static List<Increment> Increments(IReadOnlyList<LedgerEntry> entries)
    {
        var increments = new List<Increment>(2);
        // First, so a campaign's row is taken before its totals rows, in the order a purchase takes them (no deadlock).
        foreach (var campaign in entries.Where(e => e.Kind is LedgerKind.Voided or LedgerKind.Reversed && e.Donation.MerchantPledge != 0).GroupBy(e => e.CampaignId))
            increments.Add(new Increment(AppDb.ReturnToCap(campaign.Key, campaign.Sum(e => e.Donation.MerchantPledge)), TotalsRow: null));
        foreach (var row in entries.Where(e => e.Kind != LedgerKind.Remitted).GroupBy(e => (e.CampaignId, e.CharityId, e.Currency)))
            increments.Add(TotalsIncrement(row.Key, Delta.Of(row)));
        foreach (var day in entries.Where(e => e.Kind is LedgerKind.Confirmed or LedgerKind.Reversed).GroupBy(e => (e.CampaignId, Day: DateOnly.FromDateTime(e.CreatedUtc))))
            increments.Add(DailyIncrement(day.Key.CampaignId, day.Key.Day, Delta.Of(day)));
        return increments;
    }

    /// <summary>A statement that moves a totals row; <see cref="Check"/> fails when the campaign's totals row it had to move is missing.</summary>
    private sealed record Increment(FormattableString Sql, (Guid CampaignId, Guid CharityId, string Currency)? TotalsRow)
    {
        public void Check(int changed)
        {
            if (TotalsRow is { } key && changed != 1)
                throw new InvalidOperationException($"No totals row for campaign {key.CampaignId}, charity {key.CharityId}, {key.Currency}.");
        }
    }

    /// <summary>What a set of entries does to a totals row's raised figures. Paying a charity (remitted) moves money already raised: no change (<see cref="PostRemittedAsync"/> counts it apart).</summary>
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

    private static Increment TotalsIncrement((Guid CampaignId, Guid CharityId, string Currency) key, Delta d) =>
        new(AppDb.MoveCampaignTotals(key.CampaignId, key.CharityId, key.Currency, d.Pending, d.Confirmed, d.Reversed, d.Purchases), key);

    private static Increment DailyIncrement(Guid campaignId, DateOnly day, Delta d) =>
        new(AppDb.AddToDailyTotals(campaignId, day, d.Confirmed, d.Reversed, d.Purchases), TotalsRow: null);
}
