using System.Net;
using System.Text.Json.Nodes;
using CharityPromo.Api.Payments;
using CharityPromo.StripeDouble;
using CharityPromo.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CharityPromo.Api.Tests.Integration.Stripe;

/// <summary>Purchases paid on Stripe Checkout's hosted page.</summary>
public class StripeCheckoutSessionTests(StripeFixture fx) : IClassFixture<StripeFixture>
{
    private static Dictionary<string, object?> HostedPurchase(string orderId, long amount = 4999, long addOn = 100)
    {
        var body = Seed.Purchase(orderId, amount: amount, addOn: addOn, customerRef: null);
        body["payment"] = new { method = "stripe_checkout", successUrl = "https://shop.example/thanks?session={CHECKOUT_SESSION_ID}", cancelUrl = "https://shop.example/cart" };
        return body;
    }

    private async Task<JsonNode> StartAsync(string orderId, long amount = 4999)
    {
        var body = await (await fx.Checkout.PostJson("/api/purchases", HostedPurchase(orderId, amount), orderId)).Expect(HttpStatusCode.Created);
        body.Str("status").ShouldBe("pending");
        return body;
    }

    private CheckoutSessionObject Session(string id) => fx.Stripe.State.Locked(_ => fx.Stripe.State.Sessions[id]);

    [Fact]
    public async Task TheShopperSeesTheDonationAsItsOwnLinesAndThePledgeCountsOncePaid()
    {
        var before = await fx.TotalsAsync();
        var body = await StartAsync("CS-OK");
        body.Str("payment.method").ShouldBe("stripe_checkout");
        body.Str("payment.status").ShouldBe("open");
        var sessionId = body.Str("payment.checkoutSessionId");
        var url = body.Str("payment.url");
        url.ShouldBe(Session(sessionId).Url);
        (await fx.TotalsAsync()).Long("pending").ShouldBe(before.Long("pending") + 351);

        var lines = fx.Stripe.State.Locked(_ => fx.Stripe.State.SessionLines[sessionId]);
        lines.Select(l => (l.Name, l.UnitAmount)).ShouldBe([("Order CS-OK", 4999L), ("Round-up for Read Together", 1L), ("Your donation to Read Together", 100L)]);
        lines.Sum(l => l.UnitAmount * l.Quantity).ShouldBe(body.Long("payment.amount"));
        var session = Session(sessionId);
        session.Metadata["purchase_id"].ShouldBe(body.Str("id"));
        session.ClientReferenceId.ShouldBe(body.Str("id"));
        session.SuccessUrl.ShouldBe("https://shop.example/thanks?session={CHECKOUT_SESSION_ID}");
        fx.Stripe.Requests.Single(r => r.Path == "/v1/checkout/sessions" && r.Body.Contains("CS-OK")).IdempotencyKey
            .ShouldBe($"purchase:{body.Str("id")}:checkout_session");

        // The shopper pays on Stripe's page and is sent back to the shop.
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        (await browser.GetStringAsync(url)).ShouldContain("Your donation to Read Together");
        var paid = await browser.PostAsync(url, new FormUrlEncodedContent([new("payment_method", "pm_card_visa")]));
        paid.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        paid.Headers.Location!.ToString().ShouldBe($"https://shop.example/thanks?session={sessionId}");
        await fx.Stripe.Webhooks.DrainAsync();

        var purchase = await fx.PurchaseAsync(body.Str("id"));
        purchase.Str("status").ShouldBe("confirmed");
        purchase.Str("payment.paymentIntentId").ShouldBe(Session(sessionId).PaymentIntent!);
        purchase["payment"]!["url"].ShouldBeNull(); // handed on once
        var after = await fx.TotalsAsync();
        after.Long("raised").ShouldBe(before.Long("raised") + 351);
        after.Long("pending").ShouldBe(before.Long("pending"));
        after.Long("purchases").ShouldBe(before.Long("purchases") + 1);

        // Refunds go through the PaymentIntent the session made, as for any Stripe payment.
        var refund = await (await fx.Checkout.PostJson($"/api/purchases/{body.Str("id")}/refunds", new { amount = 2550 }, "cs-ok-refund")).Expect(HttpStatusCode.Created);
        refund.Long("amount").ShouldBe(2550);
        fx.Stripe.State.Locked(_ => fx.Stripe.State.Refunds.Single(r => r.PaymentIntent == Session(sessionId).PaymentIntent)).Amount.ShouldBe(2550);
        await fx.Stripe.Webhooks.DrainAsync();
        (await fx.PurchaseAsync(body.Str("id"))).Str("status").ShouldBe("partially_refunded");
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task TheSameRequestAgainAnswersTheSameSessionAndADifferentBodyUnderItsKeyIsRefused()
    {
        var first = await StartAsync("CS-TWICE");
        var again = await (await fx.Checkout.PostJson("/api/purchases", HostedPurchase("CS-TWICE"), "CS-TWICE")).Expect(HttpStatusCode.Created);
        again.Str("id").ShouldBe(first.Str("id"));
        again.Str("payment.checkoutSessionId").ShouldBe(first.Str("payment.checkoutSessionId"));
        again.Str("payment.url").ShouldBe(first.Str("payment.url"));
        fx.Stripe.State.Locked(_ => fx.Stripe.State.Sessions.Values.Count(s => s.Metadata["order_id"] == "CS-TWICE")).ShouldBe(1);
        await (await fx.Checkout.PostJson("/api/purchases", HostedPurchase("CS-TWICE", amount: 6000), "CS-TWICE")).ExpectProblem(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task AnExpiredSessionReleasesThePledgeAndItsRequestCannotBeResumed()
    {
        var before = await fx.TotalsAsync();
        var body = await StartAsync("CS-EXPIRE");
        fx.Stripe.State.Expire(body.Str("payment.checkoutSessionId"));
        await fx.Stripe.Webhooks.DrainAsync();
        var purchase = await fx.PurchaseAsync(body.Str("id"));
        purchase.Str("status").ShouldBe("failed");
        purchase.Str("payment.status").ShouldBe("canceled");
        (await fx.TotalsAsync()).Long("pending").ShouldBe(before.Long("pending"));
        await (await fx.Checkout.PostJson("/api/purchases", HostedPurchase("CS-EXPIRE"), "CS-EXPIRE")).ExpectProblem(HttpStatusCode.Conflict, "payment");
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task ADelayedPaymentIsPendingUntilItSettlesEitherWay()
    {
        var before = await fx.TotalsAsync();
        var good = await StartAsync("CS-DEBIT-OK");
        var bad = await StartAsync("CS-DEBIT-BAD");
        fx.Stripe.State.PayOnPage(good.Str("payment.checkoutSessionId"), delayed: true);
        fx.Stripe.State.PayOnPage(bad.Str("payment.checkoutSessionId"), delayed: true);
        await fx.Stripe.Webhooks.DrainAsync();
        foreach (var started in new[] { good, bad })
        {
            var processing = await fx.PurchaseAsync(started.Str("id"));
            processing.Str("status").ShouldBe("pending");
            processing.Str("payment.status").ShouldBe("processing");
        }

        fx.Stripe.State.SettleDelayedPayment(good.Str("payment.checkoutSessionId"), succeed: true);
        fx.Stripe.State.SettleDelayedPayment(bad.Str("payment.checkoutSessionId"), succeed: false);
        await fx.Stripe.Webhooks.DrainAsync();
        (await fx.PurchaseAsync(good.Str("id"))).Str("status").ShouldBe("confirmed");
        var failed = await fx.PurchaseAsync(bad.Str("id"));
        failed.Str("status").ShouldBe("failed");
        failed.Str("payment.error").ShouldBe("The delayed payment failed.");
        var after = await fx.TotalsAsync();
        after.Long("raised").ShouldBe(before.Long("raised") + 351);
        after.Long("pending").ShouldBe(before.Long("pending"));
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task AnAttemptWithoutAnAnswerLeavesAPageNoShopperSawWhichChangesNothingWhenItExpires()
    {
        fx.Stripe.FailNext(new Fault(500, AfterHandling: true, Path: "/v1/checkout/sessions"));
        var purchaseId = (await (await fx.Checkout.PostJson("/api/purchases", HostedPurchase("CS-LOST"), "CS-LOST"))
            .ExpectProblem(HttpStatusCode.ServiceUnavailable)).Str("purchaseId");
        var orphan = fx.Stripe.State.Locked(_ => fx.Stripe.State.Sessions.Values.Single(s => s.Metadata["order_id"] == "CS-LOST")).Id;

        var body = await (await fx.Checkout.PostJson("/api/purchases", HostedPurchase("CS-LOST"), "CS-LOST")).Expect(HttpStatusCode.Created);
        body.Str("id").ShouldBe(purchaseId);
        body.Str("payment.checkoutSessionId").ShouldNotBe(orphan);
        fx.Stripe.Requests.Where(r => r.Path == "/v1/checkout/sessions" && r.Body.Contains("CS-LOST")).Select(r => r.IdempotencyKey).Distinct()
            .ShouldBe([$"purchase:{purchaseId}:checkout_session", $"purchase:{purchaseId}:checkout_session:1"]);

        fx.Stripe.State.Expire(orphan);
        await fx.Stripe.Webhooks.DrainAsync();
        (await fx.PurchaseAsync(purchaseId)).Str("status").ShouldBe("pending");
        fx.Stripe.State.PayOnPage(body.Str("payment.checkoutSessionId"));
        await fx.Stripe.Webhooks.DrainAsync();
        (await fx.PurchaseAsync(purchaseId)).Str("status").ShouldBe("confirmed");
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task TheReconcilerConfirmsAPaidPageWhoseNewsWasLostAndExpiresAnAbandonedOne()
    {
        var reconciler = fx.App.Services.GetRequiredService<StripeReconciler>();
        var paid = await StartAsync("CS-MISSED");
        var abandoned = await StartAsync("CS-ABANDONED");
        fx.Stripe.Webhooks.Mode = DeliveryMode.Hold;
        try
        {
            fx.Stripe.State.PayOnPage(paid.Str("payment.checkoutSessionId"));
            fx.Stripe.Webhooks.DropHeld(); // lost, and gone from Stripe's event list's window below
            fx.Stripe.State.Locked(events => { events.Clear(); fx.Stripe.State.Events.Clear(); return 0; });
            fx.App.Clock.Advance(TimeSpan.FromMinutes(11));
            await reconciler.ReconcileOnceAsync(CancellationToken.None);
            (await fx.PurchaseAsync(paid.Str("id"))).Str("status").ShouldBe("confirmed");
            (await fx.PurchaseAsync(abandoned.Str("id"))).Str("status").ShouldBe("pending");

            fx.App.Clock.Advance(TimeSpan.FromHours(24));
            await reconciler.ReconcileOnceAsync(CancellationToken.None);
            Session(abandoned.Str("payment.checkoutSessionId")).Status.ShouldBe("expired");
            (await fx.PurchaseAsync(abandoned.Str("id"))).Str("status").ShouldBe("failed");
        }
        finally
        {
            fx.Stripe.Webhooks.DropHeld();
            fx.Stripe.Webhooks.Mode = DeliveryMode.Immediate;
        }
        await fx.InvariantsHoldAsync();
    }

    [Theory]
    [InlineData("""{"method":"stripe_checkout"}""", "payment.successUrl")]
    [InlineData("""{"method":"stripe_checkout","successUrl":"ftp://shop.example/"}""", "payment.successUrl")]
    [InlineData("""{"method":"stripe_checkout","successUrl":"https://shop.example/","cancelUrl":"nope"}""", "payment.cancelUrl")]
    [InlineData("""{"method":"stripe_checkout","successUrl":"https://shop.example/","paymentMethodId":"pm_card_visa"}""", "payment.paymentMethodId")]
    [InlineData("""{"method":"stripe","successUrl":"https://shop.example/"}""", "payment.successUrl")]
    public async Task CheckoutsOwnFieldsAreCheckedAndNamed(string payment, string field)
    {
        var body = Seed.Purchase($"CS-BAD-{field}-{payment.Length}", customerRef: null);
        body["payment"] = JsonNode.Parse(payment);
        await (await fx.Checkout.PostJson("/api/purchases", body, $"cs-bad-{Guid.NewGuid():N}")).ExpectProblem(HttpStatusCode.BadRequest, field);
    }
}
