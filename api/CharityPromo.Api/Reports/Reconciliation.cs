using System.Collections.Concurrent;
using CharityPromo.Api.Data;
using CharityPromo.Api.Ledger;
using CharityPromo.Api.Payments;
using CharityPromo.Api.Purchases;
using CharityPromo.Api.Remittances;
using Microsoft.EntityFrameworkCore;
using Stripe;

namespace CharityPromo.Api.Reports;

/// <param name="Pledged">Donations of paid purchases, per our ledger (confirmed entries).</param>
/// <param name="ShopperDonations">The round-ups and add-ons within <paramref name="Pledged"/>: money the shopper paid us for the charity.</param>
/// <param name="Paid">What shoppers paid, per our records (purchase + round-up + add-on of paid purchases).</param>
/// <param name="Refunded">Given back to shoppers, per our records.</param>
/// <param name="StripeCharged">Succeeded PaymentIntent amounts, per Stripe.</param>
/// <param name="StripeRefunded">Refunds of those PaymentIntents, per Stripe.</param>
/// <param name="Remitted">Placed in remittance batches (draft or paid), less what reversed transfers reopened; <paramref name="Outstanding"/> = net − remitted.</param>
public sealed record ReconciliationTotals(
    string Currency, int Purchases, long Pledged, long ShopperDonations, long Reversed, long Net, long Remitted, long Outstanding,
    long Paid, long Refunded, long StripeCharged, long StripeRefunded);

/// <param name="Cause">A stable code: no_payment_intent, payment_intent_missing, stripe_unreachable, amount_mismatch,
/// payment_not_recorded, payment_not_succeeded, refund_mismatch, ledger_mismatch, remittance_mismatch, remitted_more_than_net.</param>
public sealed record ReconciliationMismatch(Guid PurchaseId, string OrderId, string Currency, string? PaymentIntentId, string Cause, string Detail, long? Ours, long? Stripe);

/// <param name="Cause">A stable code: transfer_missing, stripe_unreachable, transfer_amount_mismatch, transfer_currency_mismatch,
/// transfer_destination_mismatch, transfer_reversal_mismatch, transfer_unfinished.</param>
public sealed record TransferMismatch(Guid RemittanceId, string Charity, string Currency, string? TransferId, string Cause, string Detail, long? Ours, long? Stripe);

/// <param name="TransfersChecked">Batches paid by Stripe transfer in the period, each compared with the Transfer Stripe holds.</param>
/// <param name="TransferMismatches">Differences between those batches and their transfers, and transfers started but never finished.</param>
public sealed record ReconciliationReport(
    string FromUtc, string ToUtc, int PurchasesChecked, int StripePaymentsChecked,
    IReadOnlyList<ReconciliationTotals> Totals, IReadOnlyList<ReconciliationMismatch> Mismatches,
    int TransfersChecked, IReadOnlyList<TransferMismatch> TransferMismatches);

/// <summary>
/// Our ledger against Stripe against remittances, for purchases created in a period: every purchase paid through
/// Stripe is re-read from Stripe (its PaymentIntent and refunds), every batch paid by transfer in the period is
/// compared with its Transfer, and every difference is listed with its cause.
/// </summary>
internal static class Reconciliation
{
    public const int MaxStripePayments = 2000;

    private sealed record Row(Guid Id, string OrderId, string Currency, string PaymentMethod, string? PaymentIntentId, bool IsPaid,
        long AmountPaid, long Refunded, long ShopperDonations, long DonationTotal, long Reversed, long InBatches);

    private sealed record StripeFacts(PaymentIntent? Intent, long Refunded, string? Problem);

    public static async Task<int> CountStripePaymentsAsync(AppDb db, DateTime from, DateTime to, CancellationToken ct) =>
        await db.Purchases.CountAsync(p => p.CreatedUtc >= from && p.CreatedUtc < to && (p.PaymentMethod == PaymentMethods.Stripe || p.PaymentMethod == PaymentMethods.StripeCheckout), ct);

    public static async Task<ReconciliationReport> BuildAsync(AppDb db, StripeClient stripeClient, DateTime from, DateTime to, CancellationToken ct)
    {
        var rows = await db.Purchases.AsNoTracking().Where(p => p.CreatedUtc >= from && p.CreatedUtc < to)
            .OrderBy(p => p.CreatedUtc).ThenBy(p => p.Id)
            .Select(p => new Row(p.Id, p.OrderId, p.Currency, p.PaymentMethod, p.PaymentIntentId, p.ConfirmedUtc != null,
                p.Amount + p.Donation.RoundUp + p.Donation.AddOn, p.Refunded, p.Donation.RoundUp + p.Donation.AddOn, p.DonationTotal, p.Reversed, p.InBatches))
            .ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        var ledger = await db.Ledger.AsNoTracking().Where(l => ids.Contains(l.PurchaseId))
            .GroupBy(l => l.PurchaseId)
            .Select(g => new
            {
                PurchaseId = g.Key,
                Confirmed = g.Where(l => l.Kind == LedgerKind.Confirmed).Sum(l => l.Amount),
                Reversed = g.Where(l => l.Kind == LedgerKind.Reversed).Sum(l => l.Amount),
                Remitted = g.Where(l => l.Kind == LedgerKind.Remitted).Sum(l => l.Amount),
            })
            .ToDictionaryAsync(x => x.PurchaseId, ct);
        // A purchase's InBatches counts its lines in draft and paid batches; the ledger only what paid batches paid.
        var batched = await db.RemittanceLines.AsNoTracking().Where(l => ids.Contains(l.PurchaseId))
            .Join(db.Remittances, l => l.RemittanceId, r => r.Id, (l, r) => new { l.PurchaseId, Net = l.Amount - l.Reopened, r.Status })
            .GroupBy(l => l.PurchaseId)
            .Select(g => new { g.Key, All = g.Sum(l => l.Net), Paid = g.Sum(l => l.Status == RemittanceStatus.Paid ? l.Net : 0) })
            .ToDictionaryAsync(x => x.Key, ct);

        // Stripe, a few requests at a time.
        var stripe = new ConcurrentDictionary<Guid, StripeFacts>();
        await Parallel.ForEachAsync(rows.Where(r => PaymentMethods.IsStripe(r.PaymentMethod) && r.PaymentIntentId is not null),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (row, token) =>
            {
                try
                {
                    var intent = await stripeClient.V1.PaymentIntents.GetAsync(row.PaymentIntentId!, cancellationToken: token);
                    var refunded = intent.Status == "succeeded"
                        ? (await stripeClient.V1.Refunds.ListAutoPagingAsync(new RefundListOptions { PaymentIntent = intent.Id, Limit = 100 }, cancellationToken: token)
                            .ToListAsync(token)).Where(r => r.Status is "succeeded" or "pending").Sum(r => r.Amount)
                        : 0;
                    stripe[row.Id] = new StripeFacts(intent, refunded, null);
                }
                catch (Exception ex) when (StripeProblems.IsStripeFailure(ex, token))
                {
                    stripe[row.Id] = new StripeFacts(null, 0,
                        ex is StripeException { HttpStatusCode: System.Net.HttpStatusCode.NotFound } ? "payment_intent_missing" : "stripe_unreachable");
                }
            });

        var mismatches = new List<ReconciliationMismatch>();
        foreach (var row in rows)
        {
            void Add(string cause, string detail, long? ours, long? theirs) =>
                mismatches.Add(new ReconciliationMismatch(row.Id, row.OrderId, row.Currency, row.PaymentIntentId, cause, detail, ours, theirs));

            var entries = ledger.GetValueOrDefault(row.Id);
            var net = row.IsPaid ? row.DonationTotal - row.Reversed : 0;
            if ((entries?.Confirmed ?? 0) - (entries?.Reversed ?? 0) != net)
                Add("ledger_mismatch", "The purchase's net pledge differs from its ledger entries.", net, null);
            var lines = batched.GetValueOrDefault(row.Id);
            if ((entries?.Remitted ?? 0) != (lines?.Paid ?? 0) || (lines?.All ?? 0) != row.InBatches)
                Add("remittance_mismatch", "Remitted per purchase, per ledger and per remittance lines differ.", row.InBatches, null);
            else if (row.InBatches > net)
                Add("remitted_more_than_net", "Reversed after it was remitted: the difference carries forward as a negative line in the next batch.", row.InBatches, net);

            if (!PaymentMethods.IsStripe(row.PaymentMethod)) continue;
            if (row.PaymentIntentId is null && row.PaymentMethod == PaymentMethods.StripeCheckout && !row.IsPaid) continue; // no one has paid on its page yet
            if (row.PaymentIntentId is null)
            {
                Add("no_payment_intent", "No PaymentIntent is recorded for it (Stripe failed, or the server stopped, before one was): the reconciler looks for one by the purchase's id and releases the purchase if none is paid.", row.AmountPaid, null);
                continue;
            }
            var facts = stripe[row.Id];
            var intent = facts.Intent; // a plain null check: Stryker cannot compile a pattern variable once a mutant removes the block below
            if (intent is null)
            {
                Add(facts.Problem!, facts.Problem == "stripe_unreachable" ? "Stripe could not be asked; run the report again." : "Stripe has no such PaymentIntent.", row.AmountPaid, null);
                continue;
            }
            if (intent.Amount != row.AmountPaid || intent.Currency != row.Currency)
                Add("amount_mismatch", $"Stripe's PaymentIntent is for {intent.Amount} {intent.Currency}.", row.AmountPaid, intent.Amount);
            if (intent.Status == "succeeded" && !row.IsPaid)
                Add("payment_not_recorded", "Stripe took the payment but the purchase is not confirmed (a webhook was missed; the reconciler will confirm it).", 0, intent.Amount);
            if (intent.Status != "succeeded" && row.IsPaid)
                Add("payment_not_succeeded", $"The purchase is confirmed but Stripe's PaymentIntent is {intent.Status}.", row.AmountPaid, 0);
            if (facts.Refunded != row.Refunded)
                Add("refund_mismatch", "Refunds per Stripe and per our records differ (a refund webhook was missed or is on its way).", row.Refunded, facts.Refunded);
        }

        var totals = rows.GroupBy(r => r.Currency).OrderBy(g => g.Key).Select(g =>
        {
            var paid = g.Where(r => r.IsPaid).ToList();
            var pledged = paid.Sum(r => r.DonationTotal);
            var reversed = paid.Sum(r => r.Reversed);
            var remitted = g.Sum(r => r.InBatches);
            var charged = g.Select(r => stripe.GetValueOrDefault(r.Id)?.Intent).Where(i => i?.Status == "succeeded").Sum(i => i!.Amount);
            return new ReconciliationTotals(g.Key, g.Count(), pledged, paid.Sum(r => r.ShopperDonations), reversed, pledged - reversed, remitted,
                pledged - reversed - remitted, paid.Sum(r => r.AmountPaid), paid.Sum(r => r.Refunded), charged, g.Sum(r => stripe.GetValueOrDefault(r.Id)?.Refunded ?? 0));
        }).ToList();

        var (transfersChecked, transferMismatches) = await CheckTransfersAsync(db, stripeClient, from, to, ct);
        return new ReconciliationReport(from.ToString("O"), to.ToString("O"), rows.Count, stripe.Count, totals, mismatches, transfersChecked, transferMismatches);
    }

    /// <summary>Each batch paid by transfer in the period against its Transfer; and transfers started in it but never finished.</summary>
    private static async Task<(int Checked, List<TransferMismatch> Mismatches)> CheckTransfersAsync(AppDb db, StripeClient stripeClient, DateTime from, DateTime to,
        CancellationToken ct)
    {
        var batches = await db.Remittances.AsNoTracking()
            .Where(r => (r.TransferId != null && r.PaidUtc >= from && r.PaidUtc < to)
                        || (r.TransferId == null && r.TransferStartedUtc >= from && r.TransferStartedUtc < to))
            .Join(db.Charities, r => r.CharityId, c => c.Id, (r, c) => new { Batch = r, c.Slug, c.StripeAccountId })
            .ToListAsync(ct);
        var mismatches = new ConcurrentBag<TransferMismatch>();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (x, token) =>
        {
            var batch = x.Batch;
            void Add(string cause, string detail, long? ours, long? theirs) =>
                mismatches.Add(new TransferMismatch(batch.Id, x.Slug, batch.Currency, batch.TransferId, cause, detail, ours, theirs));
            if (batch.TransferId is null)
            {
                Add("transfer_unfinished", "A transfer was started and never recorded: POST /api/remittances/{id}/transfer again to finish it.", batch.Amount, null);
                return;
            }
            Transfer transfer;
            try
            {
                transfer = await stripeClient.V1.Transfers.GetAsync(batch.TransferId, cancellationToken: token);
            }
            catch (Exception ex) when (StripeProblems.IsStripeFailure(ex, token))
            {
                var missing = ex is StripeException { HttpStatusCode: System.Net.HttpStatusCode.NotFound };
                Add(missing ? "transfer_missing" : "stripe_unreachable", missing ? "Stripe has no such transfer." : "Stripe could not be asked; run the report again.",
                    batch.Amount, null);
                return;
            }
            if (transfer.Amount != batch.Amount) Add("transfer_amount_mismatch", $"Stripe's transfer is for {transfer.Amount} {transfer.Currency}.", batch.Amount, transfer.Amount);
            if (transfer.Currency != batch.Currency) Add("transfer_currency_mismatch", $"Stripe's transfer is in {transfer.Currency}.", null, null);
            if (transfer.DestinationId != x.StripeAccountId)
                Add("transfer_destination_mismatch", $"Stripe's transfer went to {transfer.DestinationId}, not the charity's account {x.StripeAccountId}.", null, null);
            if (transfer.AmountReversed != batch.TransferReversed)
                Add("transfer_reversal_mismatch", "Reversals per Stripe and per our records differ (a transfer.reversed webhook was missed or is on its way).",
                    batch.TransferReversed, transfer.AmountReversed);
        });
        return (batches.Count, [.. mismatches.OrderBy(m => m.RemittanceId).ThenBy(m => m.Cause)]);
    }
}
