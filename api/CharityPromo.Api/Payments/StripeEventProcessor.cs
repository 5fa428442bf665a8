using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Payments.Stripe;
using CharityPromo.Api.Purchases;
using Microsoft.EntityFrameworkCore;
using StripeRefund = CharityPromo.Api.Payments.Stripe.Refund;

namespace CharityPromo.Api.Payments;

/// <summary>
/// Applies a Stripe event once. The event id is stored in the same savepoint as its effect, under a unique key,
/// so a redelivered (or replayed) event is acknowledged and ignored; the effects themselves are monotonic
/// (<see cref="PaymentTransitions"/>), so events in any order end in the same state. Webhooks and the
/// reconciler both come through here.
/// </summary>
internal sealed class StripeEventProcessor(AppDb reads, WriteBatcher writer, RefundService refunds, TimeProvider clock, ILogger<StripeEventProcessor> logger)
{
    public static readonly string[] HandledTypes =
    [
        "payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled",
        "charge.refunded", "charge.dispute.created", "charge.dispute.closed",
    ];

    public sealed record Result(bool Duplicate, string Outcome);

    /// <exception cref="StripeException">Stripe was needed (to list a charge's refunds) and could not be reached: Stripe will redeliver.</exception>
    public async Task<Result> ProcessAsync(Event stripeEvent, CancellationToken ct)
    {
        if (await SeenAsync(stripeEvent.Id, ct)) return new(true, "already handled");

        // A refund event says how much was refunded in all, not by which refunds: ask Stripe (outside the transaction).
        List<StripeRefund>? chargeRefunds = null;
        if (stripeEvent.Type == "charge.refunded" && stripeEvent.Object<Charge>().PaymentIntent is { } refundedIntent)
            chargeRefunds = await refunds.ListAllAsync(refundedIntent, ct);

        Result? result = null;
        await writer.RunAsync(async db =>
        {
            if (await db.StripeEvents.AnyAsync(e => e.Id == stripeEvent.Id, ct))
            {
                result = new(true, "already handled");
                return new(TypedResults.Ok(), Keep: false);
            }
            var outcome = await ApplyAsync(db, stripeEvent, chargeRefunds, ct);
            db.StripeEvents.Add(new StripeEventRecord
            {
                Id = stripeEvent.Id, Type = stripeEvent.Type, Outcome = outcome,
                CreatedUtc = DateTimeOffset.FromUnixTimeSeconds(stripeEvent.Created).UtcDateTime, ReceivedUtc = clock.GetUtcNow().UtcDateTime,
            });
            await db.SaveChangesAsync(ct);
            result = new(false, outcome);
            return new(TypedResults.Ok(), Keep: true);
        });
        logger.LogInformation("Stripe event {EventId} ({Type}): {Outcome}", stripeEvent.Id, stripeEvent.Type, result!.Outcome);
        return result;
    }

    public Task<bool> SeenAsync(string eventId, CancellationToken ct) => reads.StripeEvents.AnyAsync(e => e.Id == eventId, ct);

    private async Task<string> ApplyAsync(AppDb db, Event e, List<StripeRefund>? chargeRefunds, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var source = $"stripe:{e.Id}";
        switch (e.Type)
        {
            case "payment_intent.succeeded" or "payment_intent.payment_failed" or "payment_intent.canceled":
            {
                var intent = e.Object<PaymentIntent>();
                if (await FindAsync(db, intent.Id, intent.Metadata, ct) is not { } purchase) return $"no purchase for {intent.Id}";
                // The event's own type decides, not the object's status (a later state may have been captured in it).
                intent.Status = e.Type switch
                {
                    "payment_intent.succeeded" => PaymentStatuses.Succeeded,
                    "payment_intent.canceled" => PaymentStatuses.Canceled,
                    _ => PaymentStatuses.RequiresPaymentMethod,
                };
                await PaymentTransitions.ApplyIntentAsync(db, purchase, intent, source, now, ct);
                return $"purchase {purchase.Id} is {purchase.Status.ToString().ToLowerInvariant()}";
            }
            case "charge.refunded":
            {
                var charge = e.Object<Charge>();
                if (charge.PaymentIntent is null || await FindAsync(db, charge.PaymentIntent, charge.Metadata, ct) is not { } purchase) return $"no purchase for {charge.Id}";
                var recorded = await PaymentTransitions.RecordRefundsAsync(db, purchase, chargeRefunds ?? [], source, now, ct);
                if (purchase.Refunded < charge.AmountRefunded)
                    logger.LogWarning("Charge {Charge} reports {Stripe} refunded, purchase {Purchase} has {Ours}", charge.Id, charge.AmountRefunded, purchase.Id, purchase.Refunded);
                return $"{recorded} refund(s) recorded on purchase {purchase.Id}";
            }
            case "charge.dispute.created" or "charge.dispute.closed":
            {
                var dispute = e.Object<Dispute>();
                if (dispute.PaymentIntent is null || await FindAsync(db, dispute.PaymentIntent, null, ct) is not { } purchase) return $"no purchase for dispute {dispute.Id}";
                if (e.Type == "charge.dispute.created") await PaymentTransitions.OpenDisputeAsync(db, purchase, dispute, source, now, ct);
                else await PaymentTransitions.CloseDisputeAsync(db, purchase, dispute, source, now, ct);
                return $"purchase {purchase.Id} dispute {dispute.Status}";
            }
            default:
                return "not handled";
        }
    }

    /// <summary>By PaymentIntent id, or by our id in its metadata when the webhook beats the checkout request recording the id.</summary>
    private static async Task<Purchase?> FindAsync(AppDb db, string paymentIntentId, Dictionary<string, string>? metadata, CancellationToken ct)
    {
        var purchase = await db.Purchases.SingleOrDefaultAsync(p => p.PaymentIntentId == paymentIntentId, ct);
        if (purchase is not null || metadata?.GetValueOrDefault("purchase_id") is not { } ours || !Guid.TryParse(ours, out var id)) return purchase;
        purchase = await db.Purchases.SingleOrDefaultAsync(p => p.Id == id && p.PaymentMethod == PaymentMethods.Stripe, ct);
        return purchase?.PaymentIntentId is null or "" ? purchase : null; // metadata naming a purchase paid by another intent is not trusted
    }
}
