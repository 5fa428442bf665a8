using System.Security.Cryptography;
using System.Text;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Purchases;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Stripe;
using StripeRefund = Stripe.Refund;

namespace CharityPromo.Api.Payments;

/// <summary>Refunds of Stripe payments: asked of Stripe first, recorded after (by whoever sees the refund first).</summary>
internal sealed class StripeRefunds(StripeClient stripe, IOptions<StripeOptions> options)
{
    /// <summary>A refund's id, the same for every retry of one request: SHA-256 of client, Idempotency-Key and purchase.</summary>
    public static Guid RefundIdFor(IdempotentRequest request, Guid purchaseId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{request.ClientId:N}\n{request.Key}\n{purchaseId:N}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8 (custom), RFC 9562
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    public async Task<(StripeRefund? Refund, ProblemHttpResult? Problem)> CreateAsync(Purchase purchase, Guid refundId, long? amount, CancellationToken ct)
    {
        if (!options.Value.IsConfigured) return (null, StripeProblems.NotConfigured());
        if (purchase.PaymentIntentId is null) return (null, Problems.Conflict("status", "This purchase has no Stripe payment to refund."));
        try
        {
            var refund = await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions
            {
                PaymentIntent = purchase.PaymentIntentId,
                Amount = amount,
                Metadata = new() { ["purchase_id"] = purchase.Id.ToString(), ["refund_id"] = refundId.ToString() },
            }, new RequestOptions { IdempotencyKey = $"refund:{refundId}" }, ct);
            return refund.Status is "failed" or "canceled"
                ? (null, Problems.Unprocessable("amount", $"Stripe did not refund this payment (refund {refund.Id} is {refund.Status})."))
                : (refund, null);
        }
        catch (Exception ex) when (StripeProblems.IsStripeFailure(ex, ct))
        {
            return (null, StripeProblems.From(ex, "amount"));
        }
    }
}
