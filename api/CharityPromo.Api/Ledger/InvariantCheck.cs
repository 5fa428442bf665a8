using System.Data;
using CharityPromo.Api.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CharityPromo.Api.Ledger;

/// <summary>One place where the stored totals disagree with what the ledger says they must be.</summary>
public sealed record InvariantMismatch(string Check, string Key, string Field, long Expected, long Actual);

public sealed record InvariantReport(bool Ok, DateTime CheckedUtc, long LedgerEntries, int TotalsRows, int DailyRows, int PurchasesChecked, IReadOnlyList<InvariantMismatch> Mismatches);

/// <summary>Recomputes every total from the ledger and compares: the proof that the O(1) totals can be trusted.</summary>
internal static class InvariantCheck
{
    public static async Task<InvariantReport> RunAsync(AppDb db, DateTime now, CancellationToken ct)
    {
        // Every query below reads the same snapshot: without it, a batch committing between the ledger query and
        // the totals query showed as a mismatch under load (a test drives writes while checking).
        await using var snapshot = await BeginSnapshotAsync(db, ct);
        var mismatches = new List<InvariantMismatch>();
        void Compare(string check, string key, string field, long expected, long actual)
        {
            if (expected != actual) mismatches.Add(new InvariantMismatch(check, key, field, expected, actual));
        }

        var fromLedger = await db.Ledger.AsNoTracking()
            .GroupBy(l => new { l.CampaignId, l.CharityId, l.Currency })
            .Select(g => new
            {
                g.Key.CampaignId, g.Key.CharityId, g.Key.Currency,
                Entries = g.LongCount(),
                Pledged = g.Sum(l => l.Kind == LedgerKind.Pledged ? l.Amount : 0),
                Confirmed = g.Sum(l => l.Kind == LedgerKind.Confirmed ? l.Amount : 0),
                Voided = g.Sum(l => l.Kind == LedgerKind.Voided ? l.Amount : 0),
                Reversed = g.Sum(l => l.Kind == LedgerKind.Reversed ? l.Amount : 0),
                Purchases = g.Sum(l => l.Kind == LedgerKind.Confirmed ? 1L : 0L),
                Remitted = g.Sum(l => l.Kind == LedgerKind.Remitted ? l.Amount : 0),
            }).ToListAsync(ct);
        var totals = await db.CampaignTotals.AsNoTracking().ToListAsync(ct);

        foreach (var t in totals)
        {
            var key = $"{t.CampaignId}/{t.CharityId}/{t.Currency}";
            var l = fromLedger.SingleOrDefault(x => x.CampaignId == t.CampaignId && x.CharityId == t.CharityId && x.Currency == t.Currency);
            Compare("totals", key, "pending", (l?.Pledged ?? 0) - (l?.Confirmed ?? 0) - (l?.Voided ?? 0), t.Pending);
            Compare("totals", key, "confirmed", l?.Confirmed ?? 0, t.Confirmed);
            Compare("totals", key, "reversed", l?.Reversed ?? 0, t.Reversed);
            Compare("totals", key, "purchases", l?.Purchases ?? 0, t.Purchases);
            Compare("totals", key, "remitted", l?.Remitted ?? 0, t.Remitted);
        }
        foreach (var orphan in fromLedger.Where(l => !totals.Any(t => t.CampaignId == l.CampaignId && t.CharityId == l.CharityId && t.Currency == l.Currency)))
            Compare("totals", $"{orphan.CampaignId}/{orphan.CharityId}/{orphan.Currency}", "row", 1, 0);

        var dailyFromLedger = await db.Ledger.AsNoTracking()
            .Where(l => l.Kind == LedgerKind.Confirmed || l.Kind == LedgerKind.Reversed)
            .GroupBy(l => new { l.CampaignId, Day = l.CreatedUtc.Date })
            .Select(g => new
            {
                g.Key.CampaignId, g.Key.Day,
                Confirmed = g.Sum(l => l.Kind == LedgerKind.Confirmed ? l.Amount : 0),
                Reversed = g.Sum(l => l.Kind == LedgerKind.Reversed ? l.Amount : 0),
                Purchases = g.Sum(l => l.Kind == LedgerKind.Confirmed ? 1L : 0L),
            }).ToListAsync(ct);
        var daily = await db.DailyTotals.AsNoTracking().ToListAsync(ct);
        var dailyKeys = daily.Select(d => (d.CampaignId, d.Day)).Union(dailyFromLedger.Select(d => (d.CampaignId, DateOnly.FromDateTime(d.Day))));
        foreach (var (campaignId, day) in dailyKeys)
        {
            var stored = daily.SingleOrDefault(d => d.CampaignId == campaignId && d.Day == day);
            var expected = dailyFromLedger.SingleOrDefault(d => d.CampaignId == campaignId && DateOnly.FromDateTime(d.Day) == day);
            var key = $"{campaignId}/{day:yyyy-MM-dd}";
            Compare("daily", key, "confirmed", expected?.Confirmed ?? 0, stored?.Confirmed ?? 0);
            Compare("daily", key, "reversed", expected?.Reversed ?? 0, stored?.Reversed ?? 0);
            Compare("daily", key, "purchases", expected?.Purchases ?? 0, stored?.Purchases ?? 0);
        }

        // Each purchase's own figures agree with its entries: one pledge of its donation, reversals within it.
        var purchaseMismatches = await db.Purchases.AsNoTracking()
            .Select(p => new
            {
                p.Id, p.DonationTotal, p.Reversed,
                Pledged = db.Ledger.Where(l => l.PurchaseId == p.Id && l.Kind == LedgerKind.Pledged).Sum(l => l.Amount),
                LedgerReversed = db.Ledger.Where(l => l.PurchaseId == p.Id && l.Kind == LedgerKind.Reversed).Sum(l => l.Amount),
            })
            .Where(x => x.Pledged != x.DonationTotal || x.LedgerReversed != x.Reversed || x.Reversed > x.DonationTotal)
            .Take(100).ToListAsync(ct);
        foreach (var p in purchaseMismatches)
        {
            Compare("purchase", p.Id.ToString(), "pledged", p.DonationTotal, p.Pledged);
            Compare("purchase", p.Id.ToString(), "reversed", p.Reversed, p.LedgerReversed);
            if (p.Reversed > p.DonationTotal) Compare("purchase", p.Id.ToString(), "reversedWithinDonation", p.DonationTotal, p.Reversed);
        }

        // Remittances: what a purchase says it placed in batches is its lines; what the ledger says was paid is its paid lines;
        // both less what reversed transfers reopened.
        var remittanceMismatches = await db.Purchases.AsNoTracking()
            .Select(p => new
            {
                p.Id, p.InBatches,
                InLines = db.RemittanceLines.Where(l => l.PurchaseId == p.Id).Sum(l => l.Amount - l.Reopened),
                InPaidLines = db.RemittanceLines.Where(l => l.PurchaseId == p.Id)
                    .Join(db.Remittances.Where(r => r.Status == Remittances.RemittanceStatus.Paid), l => l.RemittanceId, r => r.Id, (l, r) => l.Amount - l.Reopened).Sum(),
                InLedger = db.Ledger.Where(l => l.PurchaseId == p.Id && l.Kind == LedgerKind.Remitted).Sum(l => l.Amount),
            })
            .Where(x => x.InBatches != x.InLines || x.InPaidLines != x.InLedger)
            .Take(100).ToListAsync(ct);
        foreach (var r in remittanceMismatches)
        {
            Compare("remittance", r.Id.ToString(), "remittedInBatches", r.InLines, r.InBatches);
            Compare("remittance", r.Id.ToString(), "remittedInLedger", r.InPaidLines, r.InLedger);
        }

        return new InvariantReport(mismatches.Count == 0, now, fromLedger.Sum(l => l.Entries), totals.Count, daily.Count,
            await db.Purchases.CountAsync(ct), mismatches);
    }

    /// <summary>
    /// A read-only transaction over one snapshot: REPEATABLE READ on PostgreSQL; on SQLite a deferred transaction
    /// (WAL: the snapshot is taken at its first read, and the writer is never blocked; a plain BEGIN from EF would
    /// be IMMEDIATE and queue behind it).
    /// </summary>
    private static async Task<IDbContextTransaction> BeginSnapshotAsync(AppDb db, CancellationToken ct)
    {
        if (db.Database.IsNpgsql()) return await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await db.Database.OpenConnectionAsync(ct);
        var transaction = ((SqliteConnection)db.Database.GetDbConnection()).BeginTransaction(deferred: true); // just BEGIN: nothing to wait for
        return (await db.Database.UseTransactionAsync(transaction, ct))!;
    }
}
