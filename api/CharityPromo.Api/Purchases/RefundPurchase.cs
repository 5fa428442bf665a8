using System.Security.Claims;
using CharityPromo.Api.Access;
using CharityPromo.Api.Audit;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Ledger;
using CharityPromo.Api.Payments;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Webhooks;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Purchases;

/// <summary>A refund of a paid purchase.</summary>
/// <param name="Amount">Minor units given back to the shopper, out of what they paid (purchase + round-up + add-on); omit for everything still refundable.</param>
/// <param name="Reference">The refund's reference in the till or payment system.</param>
public sealed record RefundRequest(long? Amount, string? Reference);

/// <param name="Reversed">The donation parts this refund took back.</param>
/// <param name="Purchase">The purchase after the refund (when read later: as it is now).</param>
/// <param name="StripeStatus">Stripe's status of the refund as last heard (pending, requires_action, succeeded, failed, canceled); null for a refund recorded outside Stripe.</param>
/// <param name="RestoredUtc">When a refund that failed at Stripe, or was canceled, was put back: then it gives back and reverses nothing.</param>
public sealed record RefundResponse(Guid Id, Guid PurchaseId, long Amount, DonationResponse Reversed, string? Reference, DateTime CreatedUtc, RefundedPurchaseResponse Purchase,
    string? StripeStatus = null, DateTime? RestoredUtc = null);

public sealed record RefundedPurchaseResponse(PurchaseStatus Status, long AmountPaid, long Refunded, long DonationTotal, long Reversed, long Net);

internal sealed class RefundRequestValidator : AbstractValidator<RefundRequest>
{
    public RefundRequestValidator()
    {
        RuleFor(r => r.Amount).InclusiveBetween(1, Limits.MaxAmount).When(r => r.Amount is not null);
        RuleFor(r => r.Reference).MaximumLength(Limits.Reference);
    }
}

/// <summary>
/// Refunds reverse the donation in proportion to the share of the payment given back (PledgeMath.ReversalFor):
/// partial refunds add up exactly to a full one, and nothing beyond what was paid can be refunded. A purchase
/// paid through Stripe is refunded through Stripe first (outside the write transaction), then recorded.
/// </summary>
internal static class RefundPurchase
{
    public static async Task<IResult> Handle(
        Guid id, RefundRequest request, ClaimsPrincipal user, HttpContext http, AppDb db, Writes writes,
        StripeRefunds stripeRefunds, TimeProvider clock, CancellationToken ct)
    {
        if (await writes.TryReplayAsync(http, db) is { } replay) return replay;
        var purchase = await db.Purchases.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct);
        if (purchase is null || (!user.HasClaim(Scopes.ClaimType, Scopes.Admin) && purchase.ClientId != user.ClientId()))
            return Problems.NotFound($"No purchase '{id}' for this API key.");
        // Our id for the refund is derived from the request: a retry asks Stripe under the same idempotency key, and a
        // retry after the key's stored answer expired (Idempotency:RetentionDays) finds the refund it made.
        var refundId = StripeRefunds.RefundIdFor(IdempotentRequest.Of(http), purchase.Id);
        var done = await db.Refunds.AsNoTracking().AnyAsync(r => r.Id == refundId, ct);
        if (!done && Refusal(purchase, request) is { } refused) return refused;

        var clientId = user.ClientId();
        string? stripeRefundId = null, stripeStatus = null;
        var amount = 0L;
        if (!done && PaymentMethods.IsStripe(purchase.PaymentMethod))
        {
            var (refund, problem) = await stripeRefunds.CreateAsync(purchase, refundId, request.Amount, ct);
            if (refund is null) return problem!;
            (stripeRefundId, stripeStatus, amount) = (refund.Id, refund.Status, refund.Amount);
        }

        return await writes.RunAsync(http, async batchDb =>
        {
            var tracked = await batchDb.Purchases.SingleAsync(p => p.Id == id, ct);
            var existing = stripeRefundId is null
                ? await batchDb.Refunds.SingleOrDefaultAsync(r => r.Id == refundId, ct)
                : await batchDb.Refunds.SingleOrDefaultAsync(r => r.StripeRefundId == stripeRefundId, ct);
            if (existing is null)
            {
                if (stripeRefundId is null && Refusal(tracked, request) is { } late) return late; // another refund got in first
                var refunded = stripeRefundId is null ? request.Amount ?? tracked.AmountPaid - tracked.Refunded : amount;
                existing = await RecordAsync(batchDb, AuditTrail.Actor(user), tracked, refunded, refundId, clientId, request.Reference, stripeRefundId,
                    clock.GetUtcNow().UtcDateTime, ct);
                existing.StripeStatus = stripeStatus;
            }
            return TypedResults.Created($"/api/purchases/{id}/refunds/{existing.Id}", existing.ToResponse(tracked));
        });
    }

    public static RefundResponse ToResponse(this Refund refund, Purchase purchase) => new(
        refund.Id, purchase.Id, refund.Amount, DonationResponse.From(purchase.Currency, refund.Donation),
        refund.Reference, DateTime.SpecifyKind(refund.CreatedUtc, DateTimeKind.Utc),
        new RefundedPurchaseResponse(purchase.Status, purchase.AmountPaid, purchase.Refunded, purchase.DonationTotal, purchase.Reversed, purchase.NetPledge),
        refund.StripeStatus, refund.RestoredUtc is { } restored ? DateTime.SpecifyKind(restored, DateTimeKind.Utc) : null);

    private static ProblemHttpResult? Refusal(Purchase purchase, RefundRequest request)
    {
        if (!purchase.IsPaid || purchase.Status == PurchaseStatus.Refunded)
            return Problems.Conflict("status", $"Only a paid purchase can be refunded; this one is {purchase.Status.ToString().ToLowerInvariant()}.");
        var refundable = purchase.AmountPaid - purchase.Refunded;
        return request.Amount > refundable
            ? Problems.Unprocessable("amount", $"At most {refundable} minor units can still be refunded on this purchase.")
            : null;
    }

    /// <summary>
    /// Records <paramref name="amount"/> given back, reverses the donation's share of it, and records who did. What was
    /// already reversed (by earlier refunds or a lost dispute) is read from the ledger, so no part is ever reversed beyond its pledge.
    /// </summary>
    public static async Task<Refund> RecordAsync(AppDb db, string actor, Purchase purchase, long amount, Guid refundId, Guid clientId,
        string? reference, string? stripeRefundId, DateTime now, CancellationToken ct)
    {
        var before = (purchase.Refunded, purchase.Reversed, purchase.Status);
        var reversedBefore = await ReversedSoFarAsync(db, purchase, ct);
        var reversal = PledgeMath.ReversalFor(purchase.Donation, reversedBefore, purchase.Refunded, amount, purchase.AmountPaid);
        var refund = new Refund
        {
            Id = refundId, PurchaseId = purchase.Id, ClientId = clientId, Amount = amount, Reference = reference, StripeRefundId = stripeRefundId,
            CreatedUtc = now, Donation = reversal,
        };
        db.Refunds.Add(refund);
        purchase.Refunded += amount;
        purchase.Reversed += reversal.Total;
        purchase.Status = purchase.ResolveStatus();

        var source = stripeRefundId is not null ? $"stripe:{stripeRefundId}" : reference is null ? null : $"external:{reference}";
        LedgerEntry[] entries = reversal.Total > 0 ? [LedgerWriter.Entry(purchase, LedgerKind.Reversed, reversal, $"refund:{refund.Id}", source, now)] : [];
        await LedgerWriter.PostAsync(db, entries, ct);
        db.CountOnCommit(m => m.RefundRecorded(purchase.Currency, reversal.Total));
        await AuditTrail.RecordAsync(db, actor, "refund.created", $"purchase:{purchase.Id}", new AuditChanges()
            .Set("refundId", null, refund.Id).Set("amount", null, amount).Set("stripeRefundId", null, stripeRefundId).Set("reference", null, reference)
            .Set("refunded", before.Refunded, purchase.Refunded).Set("reversed", before.Reversed, purchase.Reversed).Set("status", before.Status, purchase.Status), now, ct);
        await WebhookOutbox.PurchaseAsync(db, WebhookEventTypes.PurchaseRefunded, purchase, now, ct);
        return refund;
    }

    /// <summary>
    /// A refund that failed (or was canceled) after it was recorded: the shopper kept the money, so exactly what it took
    /// goes back — its amount off the refunded total, its reversal off the reversed one, in a ledger entry whose
    /// unique cause makes it happen once.
    /// </summary>
    public static async Task RestoreAsync(AppDb db, Purchase purchase, Refund refund, string? source, DateTime now, CancellationToken ct)
    {
        var before = (purchase.Refunded, purchase.Reversed, purchase.Status);
        refund.RestoredUtc = now;
        purchase.Refunded -= refund.Amount;
        purchase.Reversed -= refund.Reversed;
        purchase.Status = purchase.ResolveStatus();
        await LedgerWriter.PostAsync(db, [LedgerWriter.Entry(purchase, LedgerKind.Reversed, -refund.Donation, $"refund-restored:{refund.Id}", source, now)], ct);
        await AuditTrail.RecordAsync(db, AuditTrail.Stripe, "refund.restored", $"purchase:{purchase.Id}", new AuditChanges()
            .Set("refundId", refund.Id, null).Set("stripeRefundId", refund.StripeRefundId, null)
            .Set("refunded", before.Refunded, purchase.Refunded).Set("reversed", before.Reversed, purchase.Reversed).Set("status", before.Status, purchase.Status), now, ct);
    }

    /// <summary>Each donation part reversed so far, summed from the ledger.</summary>
    public static async Task<DonationBreakdown> ReversedSoFarAsync(AppDb db, Purchase purchase, CancellationToken ct)
    {
        var sums = await db.Ledger.Where(l => l.PurchaseId == purchase.Id && l.Kind == LedgerKind.Reversed)
            .GroupBy(l => l.PurchaseId)
            .Select(g => new DonationBreakdown(g.Sum(l => l.Donation.MerchantPledge), g.Sum(l => l.Donation.Match), g.Sum(l => l.Donation.RoundUp), g.Sum(l => l.Donation.AddOn)))
            .SingleOrDefaultAsync(ct);
        return sums ?? DonationBreakdown.None;
    }
}
