using CharityPromo.Api.Audit;
using CharityPromo.Api.Data;
using CharityPromo.Api.Ledger;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Purchases;
using CharityPromo.Api.Webhooks;
using Microsoft.EntityFrameworkCore;
using Stripe;
using StripeRefund = Stripe.Refund;

namespace CharityPromo.Api.Payments;

/// <summary>
/// What Stripe's news does to a purchase, whoever brings it (the checkout request, a webhook, the reconciler).
/// Every step only moves forward and is keyed in the ledger, so the same news twice, or news out of order,
/// ends in the same state: a refund or dispute implies the payment succeeded, so it confirms first. News that
/// contradicts a purchase voided for good (a cancelled PaymentIntent cannot be charged) changes nothing.
/// Runs inside the write transaction, on a tracked purchase.
/// </summary>
internal static class PaymentTransitions
{
    /// <summary>Brings the purchase up to what the PaymentIntent says; false when that contradicts a voided purchase.</summary>
    public static async Task<bool> ApplyIntentAsync(AppDb db, Purchase purchase, PaymentIntent intent, string source, DateTime now, CancellationToken ct)
    {
        purchase.PaymentIntentId ??= intent.Id;
        switch (intent.Status)
        {
            case PaymentStatuses.Succeeded:
                return await ConfirmAsync(db, purchase, source, now, ct);
            case PaymentStatuses.Canceled:
                await CancelAsync(db, purchase, source, now, ct);
                return true;
            default:
                if (purchase.IsPaid || purchase.IsVoided) return true;
                purchase.PaymentStatus = intent.Status;
                // A later attempt that has not failed (yet) clears the earlier attempt's error.
                purchase.PaymentError = intent.LastPaymentError is { } error ? error.Message ?? error.Code ?? "The payment failed." : null;
                await ResolveStatusAsync(db, purchase, now, ct);
                return true;
        }
    }

    /// <summary>
    /// Brings a purchase paid on Stripe Checkout up to its session: paid → confirmed; expired → released; complete but
    /// unpaid → a delayed payment is settling; <c>checkout.session.async_payment_failed</c> (<paramref name="eventType"/>) →
    /// released, as that session cannot be paid again. Records the session on a purchase that has none yet. False
    /// (and nothing changes) for a session that is not the purchase's — one an attempt without an answer left behind,
    /// never shown to a shopper — or news that contradicts a voided purchase.
    /// </summary>
    public static async Task<bool> ApplySessionAsync(AppDb db, Purchase purchase, Stripe.Checkout.Session session, string? eventType, string source,
        DateTime now, CancellationToken ct)
    {
        purchase.CheckoutSessionId ??= session.Id;
        if (purchase.CheckoutSessionId != session.Id) return false;
        if (!string.IsNullOrEmpty(session.PaymentIntentId)) purchase.PaymentIntentId ??= session.PaymentIntentId;
        if (session.PaymentStatus is "paid" or "no_payment_required") return await ConfirmAsync(db, purchase, source, now, ct);
        if (session.Status == "expired" || eventType == "checkout.session.async_payment_failed")
        {
            if (purchase.IsPaid) return false;
            if (eventType == "checkout.session.async_payment_failed") purchase.PaymentError = "The delayed payment failed.";
            await CancelAsync(db, purchase, source, now, ct);
            return true;
        }
        if (purchase.IsPaid || purchase.IsVoided) return true;
        purchase.PaymentStatus = session.Status == "complete" ? "processing" : session.Status ?? "open";
        await ResolveStatusAsync(db, purchase, now, ct);
        return true;
    }

    /// <summary>The payment succeeded: the pending pledge is confirmed. False (and nothing changes) when the purchase was voided.</summary>
    public static async Task<bool> ConfirmAsync(AppDb db, Purchase purchase, string source, DateTime now, CancellationToken ct)
    {
        if (purchase.IsPaid) return true;
        if (purchase.IsVoided) return false;
        purchase.PaymentStatus = PaymentStatuses.Succeeded;
        purchase.PaymentError = null;
        purchase.ConfirmedUtc = now;
        purchase.Status = purchase.ResolveStatus();
        await LedgerWriter.PostAsync(db, [LedgerWriter.Entry(purchase, LedgerKind.Confirmed, purchase.Donation, LedgerWriter.PurchaseCause, source, now)], ct);
        await WebhookOutbox.PurchaseAsync(db, WebhookEventTypes.PurchaseConfirmed, purchase, now, ct);
        return true;
    }

    /// <summary>A PaymentIntent cancelled before it succeeded: the pending pledge is voided and the match budget given back.</summary>
    public static async Task CancelAsync(AppDb db, Purchase purchase, string source, DateTime now, CancellationToken ct)
    {
        if (purchase.IsPaid || purchase.IsVoided) return;
        purchase.PaymentStatus = PaymentStatuses.Canceled;
        await ResolveStatusAsync(db, purchase, now, ct);
        await LedgerWriter.PostAsync(db, [LedgerWriter.Entry(purchase, LedgerKind.Voided, purchase.Donation, LedgerWriter.PurchaseCause, source, now)], ct);
        if (purchase.Donation.Match > 0)
        {
            var match = purchase.Donation.Match;
            await db.Campaigns.Where(c => c.Id == purchase.CampaignId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.MatchUsed, c => c.MatchUsed - match), ct);
        }
    }

    /// <summary>
    /// The status an unpaid purchase's payment news leaves it in. Turning failed (an attempt declined, the payment
    /// cancelled or expired) is the one place purchase.failed is written, once per turn: a later attempt that clears the
    /// error and fails again writes another.
    /// </summary>
    private static async Task ResolveStatusAsync(AppDb db, Purchase purchase, DateTime now, CancellationToken ct)
    {
        var before = purchase.Status;
        purchase.Status = purchase.ResolveStatus();
        if (purchase.Status == PurchaseStatus.Failed && before != PurchaseStatus.Failed)
            await WebhookOutbox.PurchaseAsync(db, WebhookEventTypes.PurchaseFailed, purchase, now, ct);
    }

    /// <summary>
    /// Follows a Stripe refund: one not yet recorded (by its re_ id; ours carry our refund id in metadata) is recorded
    /// and reverses its share at once, pending or not; a recorded one that failed or was canceled puts back exactly
    /// what it took. Failed and canceled are final, so the refund's events in any order end in the same state; one
    /// that failed before it was ever recorded is never counted. One not recorded that is larger than what is still
    /// refundable here is not recorded either: another refund's failure, which put that money back at Stripe, has not
    /// been heard yet, and the charge's refund list (<c>charge.refunded</c>, failures first) records it once it has.
    /// </summary>
    /// <returns>Whether anything changed.</returns>
    public static async Task<bool> ApplyRefundAsync(AppDb db, Purchase purchase, StripeRefund refund, string source, DateTime now, CancellationToken ct)
    {
        var failed = refund.Status is "failed" or "canceled";
        var recorded = await db.Refunds.SingleOrDefaultAsync(r => r.StripeRefundId == refund.Id, ct);
        if (recorded is null)
        {
            if (failed || refund.Amount <= 0 || refund.Amount > purchase.AmountPaid - purchase.Refunded || !await ConfirmAsync(db, purchase, source, now, ct))
                return false;
            var id = refund.Metadata?.TryGetValue("refund_id", out var ours) == true && Guid.TryParse(ours, out var parsed) ? parsed : Guid.CreateVersion7();
            recorded = await RefundPurchase.RecordAsync(db, AuditTrail.Stripe, purchase, refund.Amount, id, purchase.ClientId, $"stripe:{refund.Id}", refund.Id, now, ct);
            recorded.StripeStatus = refund.Status;
            return true;
        }
        if (recorded.StripeStatus is "failed" or "canceled" || recorded.StripeStatus == refund.Status) return false;
        recorded.StripeStatus = refund.Status;
        if (failed && recorded.RestoredUtc is null) await RefundPurchase.RestoreAsync(db, purchase, recorded, $"stripe:{refund.Id}", now, ct);
        return true;
    }

    /// <summary>
    /// Brings the purchase up to the dispute as this event saw it. Every dispute event (created, updated,
    /// funds_withdrawn, funds_reinstated, closed) carries the dispute's status then, and a closed status is final,
    /// so the events in any order end in the same state: open → held; won (or an inquiry, closed or not) → nothing
    /// held; lost → the donation's share of the disputed amount reversed, by the cumulative rule refunds use.
    /// </summary>
    public static async Task ApplyDisputeAsync(AppDb db, Purchase purchase, Dispute dispute, string source, DateTime now, CancellationToken ct)
    {
        if (!await ConfirmAsync(db, purchase, source, now, ct)) return;
        if (purchase.DisputeId == dispute.Id && purchase.DisputeStatus is { } known && PaymentStatuses.DisputeClosed(known)) return; // closed: stays closed
        var before = (purchase.DisputeId, purchase.DisputeStatus, purchase.DisputeAmount, purchase.Reversed, purchase.Status);
        purchase.DisputeId = dispute.Id;
        purchase.DisputeStatus = dispute.Status;
        purchase.DisputeAmount = Math.Clamp(dispute.Amount, 0, purchase.AmountPaid - purchase.Refunded);
        if (dispute.Status == PaymentStatuses.DisputeLost)
        {
            var reversal = PledgeMath.ReversalFor(purchase.Donation, await RefundPurchase.ReversedSoFarAsync(db, purchase, ct),
                purchase.Refunded, purchase.DisputeAmount.Value, purchase.AmountPaid);
            purchase.Reversed += reversal.Total;
            if (reversal.Total > 0)
                await LedgerWriter.PostAsync(db, [LedgerWriter.Entry(purchase, LedgerKind.Reversed, reversal, $"dispute:{dispute.Id}", source, now)], ct);
        }
        purchase.Status = purchase.ResolveStatus();
        if (before.DisputeStatus == purchase.DisputeStatus) return;
        await AuditTrail.RecordAsync(db, AuditTrail.Stripe, "purchase.disputed", $"purchase:{purchase.Id}", new AuditChanges()
            .Set("disputeId", before.DisputeId, purchase.DisputeId).Set("disputeStatus", before.DisputeStatus, purchase.DisputeStatus)
            .Set("disputeAmount", before.DisputeAmount, purchase.DisputeAmount)
            .Set("reversed", before.Reversed, purchase.Reversed).Set("status", before.Status, purchase.Status), now, ct);
        // A dispute's opening and its close are the events; moves between open statuses are not. One first heard of
        // already closed (its earlier events still on their way) is only closed.
        if (PaymentStatuses.DisputeClosed(dispute.Status))
            await WebhookOutbox.PurchaseAsync(db, WebhookEventTypes.PurchaseDisputeClosed, purchase, now, ct);
        else if (before.DisputeId != dispute.Id || before.DisputeStatus is null)
            await WebhookOutbox.PurchaseAsync(db, WebhookEventTypes.PurchaseDisputed, purchase, now, ct);
    }
}
