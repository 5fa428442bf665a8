using System.Security.Claims;
using CharityPromo.Api.Access;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Ledger;
using CharityPromo.Api.Pledges;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Purchases;

/// <summary>A refund of a paid purchase.</summary>
/// <param name="Amount">Minor units given back to the shopper, out of what they paid (purchase + round-up + add-on); omit for everything still refundable.</param>
/// <param name="Reference">The refund's reference in the till or payment system.</param>
public sealed record RefundRequest(long? Amount, string? Reference);

/// <param name="Reversed">The donation parts this refund took back.</param>
/// <param name="Purchase">The purchase after the refund.</param>
public sealed record RefundResponse(Guid Id, Guid PurchaseId, long Amount, DonationResponse Reversed, string? Reference, DateTime CreatedUtc, RefundedPurchaseResponse Purchase);

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
/// partial refunds add up exactly to a full one, and nothing beyond what was paid can be refunded.
/// </summary>
internal static class RefundPurchase
{
    public static async Task<Results<Created<RefundResponse>, ProblemHttpResult>> Handle(
        Guid id, RefundRequest request, ClaimsPrincipal user, AppDb db, TimeProvider clock, CancellationToken ct)
    {
        var purchase = await db.Purchases.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (purchase is null || (!user.HasClaim(Scopes.ClaimType, Scopes.Admin) && purchase.ClientId != user.ClientId()))
            return Problems.NotFound($"No purchase '{id}' for this API key.");
        if (purchase.Status is not (PurchaseStatus.Confirmed or PurchaseStatus.PartiallyRefunded))
            return Problems.Conflict("status", $"Only a paid purchase can be refunded; this one is {purchase.Status.ToString().ToLowerInvariant()}.");

        var refundable = purchase.AmountPaid - purchase.Refunded;
        var amount = request.Amount ?? refundable;
        if (amount > refundable)
            return Problems.Unprocessable("amount", $"At most {refundable} minor units can still be refunded on this purchase.");

        var already = await db.Refunds.Where(r => r.PurchaseId == id)
            .GroupBy(r => r.PurchaseId)
            .Select(g => new { MerchantPledge = g.Sum(r => r.MerchantPledge), Match = g.Sum(r => r.Match), RoundUp = g.Sum(r => r.RoundUp), AddOn = g.Sum(r => r.AddOn) })
            .SingleOrDefaultAsync(ct);
        var reversedBefore = new DonationBreakdown(purchase.Currency, already?.MerchantPledge ?? 0, already?.Match ?? 0, already?.RoundUp ?? 0, already?.AddOn ?? 0);
        var reversal = PledgeMath.ReversalFor(purchase.Donation, reversedBefore, purchase.Refunded, amount, purchase.AmountPaid);

        var now = clock.GetUtcNow().UtcDateTime;
        var refund = new Refund
        {
            PurchaseId = id, ClientId = user.ClientId(), Amount = amount, Reference = request.Reference, CreatedUtc = now,
            MerchantPledge = reversal.MerchantPledge, Match = reversal.Match, RoundUp = reversal.RoundUp, AddOn = reversal.AddOn,
        };
        db.Refunds.Add(refund);
        purchase.Refunded += amount;
        purchase.Reversed += reversal.Total;
        purchase.Status = purchase.Refunded == purchase.AmountPaid ? PurchaseStatus.Refunded : PurchaseStatus.PartiallyRefunded;

        LedgerEntry[] entries = reversal.Total > 0
            ? [LedgerWriter.Entry(purchase, LedgerKind.Reversed, reversal, $"refund:{refund.Id}", request.Reference is null ? null : $"external:{request.Reference}", now)]
            : [];
        await LedgerWriter.PostAsync(db, entries, ct);

        return TypedResults.Created($"/api/purchases/{id}/refunds/{refund.Id}", new RefundResponse(
            refund.Id, id, amount, DonationResponse.From(reversal), refund.Reference, now,
            new RefundedPurchaseResponse(purchase.Status, purchase.AmountPaid, purchase.Refunded, purchase.DonationTotal, purchase.Reversed,
                purchase.DonationTotal - purchase.Reversed)));
    }
}
