using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Purchases;
using Microsoft.EntityFrameworkCore;
using Stripe;
using Stripe.Checkout;

namespace CharityPromo.Api.Payments;

/// <summary>
/// A purchase paid on Stripe Checkout's hosted page: the same three steps as a PaymentIntent, with a Checkout
/// Session in step 2, under <c>purchase:{id}:checkout_session</c>. A session is only a page until the shopper pays
/// on it, and its URL reaches a shopper only through the answer to this request once it is recorded, so after an
/// attempt without an answer the next one simply makes a new session under a numbered key: the one the failed
/// attempt may have made was never shown to anyone, and expires unpaid.
/// </summary>
internal sealed partial class StripeCheckout
{
    private async Task<IResult> HostedPageAsync(RecordedPurchase recorded, PaymentRequest payment, CancellationToken ct)
    {
        var purchase = recorded.Purchase;
        Session session;
        try
        {
            session = purchase.CheckoutSessionId is { } known
                ? await stripe.V1.Checkout.Sessions.GetAsync(known, cancellationToken: ct)
                : await stripe.V1.Checkout.Sessions.CreateAsync(await SessionForAsync(recorded, payment, ct),
                    new RequestOptions { IdempotencyKey = SessionKey(purchase) }, ct);
        }
        catch (Exception ex) when (StripeProblems.IsStripeFailure(ex, ct))
        {
            if (StripeProblems.IsTransient(ex) && purchase.CheckoutSessionId is null) await CountFailedAttemptAsync(purchase, ct);
            return StripeProblems.From(ex, "payment", new Dictionary<string, object?> { ["purchaseId"] = purchase.Id });
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await writes.RunAsync(async db =>
        {
            var tracked = await db.Purchases.SingleAsync(p => p.Id == purchase.Id, ct);
            await PaymentTransitions.ApplySessionAsync(db, tracked, session, null, $"stripe:{session.Id}", now, ct);
            purchase = tracked;
        });
        if (purchase.CheckoutSessionId != session.Id)
        {
            // A concurrent retry recorded its session first: answer that one, and close this one so no shopper can pay on it.
            await ExpireQuietlyAsync(session.Id, ct);
            session = await stripe.V1.Checkout.Sessions.GetAsync(purchase.CheckoutSessionId!, cancellationToken: ct);
        }
        if (purchase.IsVoided) return Voided();
        return TypedResults.Created($"/api/purchases/{purchase.Id}", purchase.ToResponse(recorded.Campaign, recorded.Charity, url: session.Url));
    }

    public static string SessionKey(Purchase purchase) =>
        purchase.IntentAttempts == 0 ? $"purchase:{purchase.Id}:checkout_session" : $"purchase:{purchase.Id}:checkout_session:{purchase.IntentAttempts}";

    /// <summary>
    /// The purchase and, as their own lines, the shopper's round-up and add-on, so the page shows what goes to the
    /// charity; the purchase id in the session's and the PaymentIntent's metadata, for the webhooks and the reconciler.
    /// </summary>
    private async Task<SessionCreateOptions> SessionForAsync(RecordedPurchase recorded, PaymentRequest payment, CancellationToken ct)
    {
        var purchase = recorded.Purchase;
        var charity = await reads.Charities.Where(c => c.Id == purchase.CharityId).Select(c => c.Name).SingleAsync(ct);
        var (pledged, roundUp, addOn) = (purchase.Donation.MerchantPledge + purchase.Donation.Match, purchase.Donation.RoundUp, purchase.Donation.AddOn);
        SessionLineItemOptions Line(string name, long amount, string? description = null) => new()
        {
            Quantity = 1,
            PriceData = new SessionLineItemPriceDataOptions
            {
                Currency = purchase.Currency, UnitAmount = amount,
                ProductData = new SessionLineItemPriceDataProductDataOptions { Name = name, Description = description },
            },
        };
        var lines = new List<SessionLineItemOptions>
        {
            Line($"Order {purchase.OrderId}", purchase.Amount,
                pledged > 0 ? $"The shop gives {Pledges.Currencies.ToMajorString(pledged, purchase.Currency)} {purchase.Currency.ToUpperInvariant()} of it to {charity}." : null),
        };
        if (roundUp > 0) lines.Add(Line($"Round-up for {charity}", roundUp));
        if (addOn > 0) lines.Add(Line($"Your donation to {charity}", addOn));
        Dictionary<string, string> Metadata() => new()
        {
            ["purchase_id"] = purchase.Id.ToString(), ["campaign"] = recorded.Campaign, ["charity"] = recorded.Charity, ["order_id"] = purchase.OrderId,
        };
        return new SessionCreateOptions
        {
            Mode = "payment",
            LineItems = lines,
            SuccessUrl = payment.SuccessUrl,
            CancelUrl = payment.CancelUrl,
            ClientReferenceId = purchase.Id.ToString(),
            Metadata = Metadata(),
            PaymentIntentData = new SessionPaymentIntentDataOptions { Metadata = Metadata(), Description = $"Order {purchase.OrderId} ({recorded.Campaign})" },
        };
    }

    private async Task ExpireQuietlyAsync(string sessionId, CancellationToken ct)
    {
        try
        {
            await stripe.V1.Checkout.Sessions.ExpireAsync(sessionId, cancellationToken: ct);
        }
        catch (Exception ex) when (StripeProblems.IsStripeFailure(ex, ct))
        {
            logger.LogWarning("Could not expire the unused Checkout Session {Session}: {Message}; it expires on its own, unpaid", sessionId, ex.Message);
        }
    }
}
