using CharityPromo.Api.Audit;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Purchases;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stripe;
using StripeRefund = Stripe.Refund;

namespace CharityPromo.Api.Payments;

/// <summary>
/// Applies a Stripe event once. The event id is stored in the same savepoint as its effect, under a unique key,
/// so a redelivered (or replayed) event is acknowledged and ignored; the effects themselves are monotonic
/// (<see cref="PaymentTransitions"/>), so events in any order end in the same state. An event whose object is
/// not what its type says, or names no object, is acknowledged and changes nothing. Webhooks and the reconciler
/// both come through here.
/// </summary>
internal sealed class StripeEventProcessor(
    AppDb reads, Writes writes, StripeClient stripe, IOptions<StripeOptions> options, TimeProvider clock, ILogger<StripeEventProcessor> logger)
{
    public static readonly string[] HandledTypes =
    [
        "payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled",
        "charge.refunded", "charge.refund.updated", "refund.updated", "refund.failed", "charge.dispute.created", "charge.dispute.updated", "charge.dispute.funds_withdrawn",
        "charge.dispute.funds_reinstated", "charge.dispute.closed",
        "checkout.session.completed", "checkout.session.async_payment_succeeded", "checkout.session.async_payment_failed", "checkout.session.expired",
        "account.updated", "transfer.created", "transfer.reversed",
    ];

    public sealed record Result(bool Duplicate, string Outcome);

    /// <summary>A <c>charge.refunded</c> event needs Stripe (to list the charge's refunds) and this server has no secret key.</summary>
    public sealed class StripeNeededException() : Exception("Stripe:SecretKey is not set, so this event's refunds cannot be read from Stripe.");

    /// <exception cref="StripeNeededException">The event needs Stripe, which is not configured: it is not recorded, so a redelivery applies it.</exception>
    /// <remarks>A failure reaching Stripe (to list a charge's refunds) propagates: the event is not recorded and Stripe redelivers it.</remarks>
    public async Task<Result> ProcessAsync(Event stripeEvent, CancellationToken ct)
    {
        if (await SeenAsync(stripeEvent.Id, ct)) return new(true, "already handled");

        // A refund event says how much was refunded in all, not by which refunds: ask Stripe (outside the transaction).
        List<StripeRefund>? chargeRefunds = null;
        if (stripeEvent.Type == "charge.refunded" && stripeEvent.Data.Object is Charge { PaymentIntentId: { Length: > 0 } refundedIntent })
        {
            if (!options.Value.IsConfigured) throw new StripeNeededException();
            chargeRefunds = await stripe.V1.Refunds.ListAutoPagingAsync(new RefundListOptions { PaymentIntent = refundedIntent, Limit = 100 }, cancellationToken: ct)
                .ToListAsync(ct);
        }
        // Account events can arrive in any order and say nothing of which came first: the account as it is now decides.
        Account? account = null;
        if (stripeEvent.Type == "account.updated" && stripeEvent.Data.Object is Account { Id.Length: > 0 } updated)
        {
            if (!options.Value.IsConfigured) throw new StripeNeededException();
            account = await stripe.V1.Accounts.GetAsync(updated.Id, cancellationToken: ct);
        }

        Result? result = null;
        await writes.RunAsync(async db =>
        {
            if (await db.StripeEvents.AnyAsync(e => e.Id == stripeEvent.Id, ct))
            {
                result = new(true, "already handled");
                return;
            }
            var outcome = await ApplyAsync(db, stripeEvent, chargeRefunds, account, ct);
            db.StripeEvents.Add(new StripeEventRecord
            {
                Id = stripeEvent.Id, Type = stripeEvent.Type, Outcome = outcome,
                CreatedUtc = DateTime.SpecifyKind(stripeEvent.Created, DateTimeKind.Utc), ReceivedUtc = clock.GetUtcNow().UtcDateTime,
            });
            result = new(false, outcome);
        });
        logger.LogInformation("Stripe event {EventId} ({Type}): {Outcome}", stripeEvent.Id, stripeEvent.Type, result!.Outcome);
        return result;
    }

    public Task<bool> SeenAsync(string eventId, CancellationToken ct) => reads.StripeEvents.AnyAsync(e => e.Id == eventId, ct);

    /// <param name="chargeRefunds">For <c>charge.refunded</c>: the charge's refunds, listed from Stripe.</param>
    /// <param name="account">For <c>account.updated</c>: the account as Stripe has it now.</param>
    private async Task<string> ApplyAsync(AppDb db, Event e, List<StripeRefund>? chargeRefunds, Account? account, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var source = $"stripe:{e.Id}";
        switch (e.Type, e.Data?.Object)
        {
            case ("payment_intent.succeeded" or "payment_intent.payment_failed" or "payment_intent.canceled", PaymentIntent { Id.Length: > 0 } intent):
            {
                if (await FindAsync(db, intent.Id, intent.Metadata, ct) is not { } purchase) return $"no purchase for {intent.Id}";
                // The event's own type decides, not the object's status (a later state may have been captured in it).
                intent.Status = e.Type switch
                {
                    "payment_intent.succeeded" => PaymentStatuses.Succeeded,
                    "payment_intent.canceled" => PaymentStatuses.Canceled,
                    _ => PaymentStatuses.RequiresPaymentMethod,
                };
                return await PaymentTransitions.ApplyIntentAsync(db, purchase, intent, source, now, ct)
                    ? $"purchase {purchase.Id} is {purchase.Status.ToString().ToLowerInvariant()}"
                    : Ignored($"purchase {purchase.Id} was cancelled, so {e.Type} cannot apply to it", e);
            }
            case ("charge.refunded", Charge { Id.Length: > 0, PaymentIntentId.Length: > 0 } charge):
            {
                if (await FindAsync(db, charge.PaymentIntentId, charge.Metadata, ct) is not { } purchase) return $"no purchase for {charge.Id}";
                var changed = 0;
                // Stripe lists newest first. Failures go first, so that the money they put back is back before a later
                // refund of it is counted; then the oldest first, as they were made.
                foreach (var refund in (chargeRefunds ?? []).AsEnumerable().Reverse().OrderBy(r => r.Status is "failed" or "canceled" ? 0 : 1))
                    if (await PaymentTransitions.ApplyRefundAsync(db, purchase, refund, source, now, ct)) changed++;
                if (purchase.Refunded != charge.AmountRefunded)
                    logger.LogWarning("Charge {Charge} reports {Stripe} refunded, purchase {Purchase} has {Ours}", charge.Id, charge.AmountRefunded, purchase.Id, purchase.Refunded);
                return $"{changed} refund(s) recorded or updated on purchase {purchase.Id}";
            }
            case ("charge.refund.updated" or "refund.updated" or "refund.failed", StripeRefund { Id.Length: > 0, PaymentIntentId.Length: > 0, Status.Length: > 0 } refund):
            {
                if (await FindAsync(db, refund.PaymentIntentId, null, ct) is not { } purchase) return $"no purchase for refund {refund.Id}";
                return await PaymentTransitions.ApplyRefundAsync(db, purchase, refund, source, now, ct)
                    ? $"refund {refund.Id} is {refund.Status} on purchase {purchase.Id}"
                    : $"refund {refund.Id} ({refund.Status}) changes nothing on purchase {purchase.Id}";
            }
            case (_, Dispute { Id.Length: > 0, PaymentIntentId.Length: > 0, Status.Length: > 0 } dispute) when e.Type.StartsWith("charge.dispute.", StringComparison.Ordinal):
            {
                if (await FindAsync(db, dispute.PaymentIntentId, null, ct) is not { } purchase) return $"no purchase for dispute {dispute.Id}";
                if (purchase.IsVoided) return Ignored($"purchase {purchase.Id} was cancelled, so dispute {dispute.Id} cannot apply to it", e);
                await PaymentTransitions.ApplyDisputeAsync(db, purchase, dispute, source, now, ct);
                return $"purchase {purchase.Id} dispute {purchase.DisputeStatus}";
            }
            case (_, Stripe.Checkout.Session { Id.Length: > 0 } session) when e.Type.StartsWith("checkout.session.", StringComparison.Ordinal):
            {
                if (await FindBySessionAsync(db, session, ct) is not { } purchase) return $"no purchase for session {session.Id}";
                return await PaymentTransitions.ApplySessionAsync(db, purchase, session, e.Type, source, now, ct)
                    ? $"purchase {purchase.Id} is {purchase.Status.ToString().ToLowerInvariant()}"
                    : Ignored($"session {session.Id} is not purchase {purchase.Id}'s, or the purchase was cancelled", e);
            }
            case ("account.updated", Account { Id.Length: > 0 }) when account is not null:
                return await CharityOnboarding.ApplyAccountAsync(db, account, now, ct);
            case ("transfer.created" or "transfer.reversed", Transfer { Id.Length: > 0 } transfer):
                return await RemittanceTransfers.FindBatchAsync(db, transfer, ct) is { } batch
                    ? await RemittanceTransfers.RecordTransferAsync(db, AuditTrail.Stripe, batch, transfer, now, ct)
                    : $"no remittance for transfer {transfer.Id}";
            case var (type, _) when HandledTypes.Contains(type):
                return Ignored("its data.object is not the object, with the ids, that its type names", e);
            default:
                return "not handled";
        }
    }

    private string Ignored(string why, Event e)
    {
        logger.LogWarning("Stripe event {EventId} ({Type}) ignored: {Why}", e.Id, e.Type, why);
        return $"ignored: {why}";
    }

    /// <summary>By PaymentIntent id, or by our id in its metadata when the webhook beats the checkout request recording the id.</summary>
    private static async Task<Purchase?> FindAsync(AppDb db, string paymentIntentId, Dictionary<string, string>? metadata, CancellationToken ct)
    {
        var purchase = await db.Purchases.SingleOrDefaultAsync(p => p.PaymentIntentId == paymentIntentId, ct);
        if (purchase is not null || metadata?.GetValueOrDefault("purchase_id") is not { } ours || !Guid.TryParse(ours, out var id)) return purchase;
        purchase = await db.Purchases.SingleOrDefaultAsync(p => p.Id == id && (p.PaymentMethod == PaymentMethods.Stripe || p.PaymentMethod == PaymentMethods.StripeCheckout), ct);
        return purchase?.PaymentIntentId is null or "" ? purchase : null; // metadata naming a purchase paid by another intent is not trusted
    }

    /// <summary>By session id, or by our id in its metadata (a session an attempt without an answer left, which changes nothing).</summary>
    private static async Task<Purchase?> FindBySessionAsync(AppDb db, Stripe.Checkout.Session session, CancellationToken ct) =>
        await db.Purchases.SingleOrDefaultAsync(p => p.CheckoutSessionId == session.Id, ct)
        ?? (session.Metadata?.GetValueOrDefault("purchase_id") is { } ours && Guid.TryParse(ours, out var id)
            ? await db.Purchases.SingleOrDefaultAsync(p => p.Id == id && p.PaymentMethod == PaymentMethods.StripeCheckout, ct)
            : null);
}
