using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using CharityPromo.StripeDouble;
using CharityPromo.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CharityPromo.Api.Tests.Integration.Stripe;

public class StripePaymentTests(StripeFixture fx) : IClassFixture<StripeFixture>
{
    [Fact]
    public async Task AConfirmedCardPaymentCountsTowardTheTotalsOnceAndTheWebhookChangesNothing()
    {
        var before = await fx.TotalsAsync();
        var response = await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-OK"), "st-ok");
        var body = await response.Expect(HttpStatusCode.Created);
        body.Str("status").ShouldBe("confirmed");
        body.Str("payment.method").ShouldBe("stripe");
        body.Str("payment.status").ShouldBe("succeeded");
        body.Long("payment.amount").ShouldBe(5100);
        var intentId = body.Str("payment.paymentIntentId");
        body.Str("payment.clientSecret").ShouldStartWith($"{intentId}_secret_");
        await fx.Stripe.Webhooks.DrainAsync();

        var intent = fx.Stripe.State.Locked(_ => fx.Stripe.State.Intents[intentId]);
        intent.Amount.ShouldBe(5100);
        intent.Metadata["purchase_id"].ShouldBe(body.Str("id"));
        intent.Metadata["campaign"].ShouldBe("literacy-2026");
        var create = fx.Stripe.Requests.Single(r => r.Path == "/v1/payment_intents" && r.Body.Contains("ST-OK"));
        create.IdempotencyKey.ShouldBe($"purchase:{body.Str("id")}:payment_intent");
        create.StripeVersion.ShouldBe(global::Stripe.StripeConfiguration.ApiVersion);
        var form = Uri.UnescapeDataString(create.Body).Split('&');
        form.ShouldContain($"metadata[purchase_id]={body.Str("id")}");
        form.ShouldContain("automatic_payment_methods[enabled]=true");
        form.ShouldContain("confirm=true");

        fx.Stripe.Webhooks.Deliveries.Where(d => d.Status != 200).ShouldBeEmpty();
        var after = await fx.TotalsAsync();
        after.Long("raised").ShouldBe(before.Long("raised") + 351);
        after.Long("pending").ShouldBe(before.Long("pending"));
        after.Long("purchases").ShouldBe(before.Long("purchases") + 1);
        (await fx.PurchaseAsync(body.Str("id")))["payment"]!["clientSecret"].ShouldBeNull(); // handed on once, never stored
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task StripesCallsCarryTheCheckoutsTraceAndItsWebhooksAreCountedByTypeAndOutcome()
    {
        var meters = fx.App.Services.GetRequiredService<IMeterFactory>();
        var counted = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == "charitypromo.webhooks") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            counted.AddOrUpdate(string.Join(",", tags.ToArray().OrderBy(t => t.Key).Select(t => $"{t.Key}={t.Value}")), value, (_, n) => n + value));
        listener.Start();

        var caller = new Activity("checkout").SetIdFormat(ActivityIdFormat.W3C).Start(); // the checkout system's trace
        var body = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-TRACE"), "st-trace")).Expect(HttpStatusCode.Created);
        caller.Stop();
        var create = fx.Stripe.Requests.Single(r => r.Path == "/v1/payment_intents" && r.Body.Contains("ST-TRACE"));
        create.TraceParent.ShouldNotBeNull();
        create.TraceParent.Split('-')[1].ShouldBe(caller.TraceId.ToString()); // W3C: version-traceid-spanid-flags

        await fx.Stripe.Webhooks.DrainAsync();
        counted.GetValueOrDefault("outcome=applied,type=payment_intent.succeeded").ShouldBeGreaterThanOrEqualTo(1);
        using var forged = new StringContent("{\"id\":\"evt_forged\"}", System.Text.Encoding.UTF8, "application/json");
        forged.Headers.Add("Stripe-Signature", "t=1,v1=00");
        (await fx.App.Client().PostAsync("/api/stripe/webhook", forged)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        counted.GetValueOrDefault("outcome=rejected,type=unverified").ShouldBe(1);
        (await fx.PurchaseAsync(body.Str("id"))).Str("status").ShouldBe("confirmed");
    }

    [Fact]
    public async Task WithoutAPaymentMethodThePurchaseIsPendingUntilStripeSaysItSucceeded()
    {
        var before = await fx.TotalsAsync();
        var body = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-JS", paymentMethod: null), "st-js")).Expect(HttpStatusCode.Created);
        body.Str("status").ShouldBe("pending");
        body.Str("payment.status").ShouldBe("requires_payment_method");
        body.Str("payment.clientSecret").ShouldNotBeNullOrEmpty();
        (await fx.TotalsAsync()).Long("pending").ShouldBe(before.Long("pending") + 351);

        // Stripe.js confirms in the browser; Stripe tells us by webhook.
        fx.Stripe.State.Confirm(body.Str("payment.paymentIntentId"), "pm_card_visa");
        await fx.Stripe.Webhooks.DrainAsync();
        (await fx.PurchaseAsync(body.Str("id"))).Str("status").ShouldBe("confirmed");
        var after = await fx.TotalsAsync();
        after.Long("raised").ShouldBe(before.Long("raised") + 351);
        after.Long("pending").ShouldBe(before.Long("pending"));
        await fx.InvariantsHoldAsync();
    }

    [Theory]
    [InlineData("pm_card_chargeDeclined", "generic_decline", "Your card was declined.")]
    [InlineData("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds", "Your card has insufficient funds.")]
    // Fraud signals reach the till as a generic decline (Stripe's advice): a card thief must not learn the card is reported.
    [InlineData("pm_card_chargeDeclinedStolenCard", "generic_decline", "Your card was declined.")]
    [InlineData("pm_card_chargeDeclinedLostCard", "generic_decline", "Your card was declined.")]
    [InlineData("pm_card_chargeDeclinedFraudulent", "generic_decline", "Your card was declined.")]
    public async Task ADeclinedCardIsA402WithStripesMessageAndThePurchaseStaysUnpaid(string card, string declineCode, string message)
    {
        var before = await fx.TotalsAsync();
        var response = await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase($"ST-{card}", card), $"st-{card}");
        var problem = await response.ExpectProblem(HttpStatusCode.PaymentRequired, "payment.paymentMethodId");
        problem.Str("type").ShouldBe("urn:charitypromo:problem:card-declined");
        problem.Str("detail").ShouldBe(message);
        problem.Str("declineCode").ShouldBe(declineCode);
        problem.Str("clientSecret").ShouldStartWith(problem.Str("paymentIntentId"));
        await fx.Stripe.Webhooks.DrainAsync();

        var purchase = await fx.PurchaseAsync(problem.Str("purchaseId"));
        purchase.Str("status").ShouldBe("failed");
        purchase.Str("payment.error").ShouldBe(message);
        (await fx.TotalsAsync()).Long("raised").ShouldBe(before.Long("raised"));

        // The same request again answers the same, without a second PaymentIntent.
        var intents = fx.Stripe.IntentCount;
        await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase($"ST-{card}", card), $"st-{card}"))
            .ExpectProblem(HttpStatusCode.PaymentRequired, "payment.paymentMethodId");
        fx.Stripe.IntentCount.ShouldBe(intents);

        // The shopper tries another card through Stripe.js: the purchase is paid after all, and the old error is gone.
        fx.Stripe.State.Confirm(problem.Str("paymentIntentId"), "pm_card_visa");
        await fx.Stripe.Webhooks.DrainAsync();
        var paid = await fx.PurchaseAsync(problem.Str("purchaseId"));
        paid.Str("status").ShouldBe("confirmed");
        paid["payment"]!["error"].ShouldBeNull();
        (await fx.TotalsAsync()).Long("raised").ShouldBe(before.Long("raised") + 351);
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task ACardNeedingAuthenticationPassesRequiresActionOnAndConfirmsWhenTheShopperAuthenticates()
    {
        var body = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-3DS", "pm_card_authenticationRequired"), "st-3ds"))
            .Expect(HttpStatusCode.Created);
        body.Str("status").ShouldBe("pending");
        body.Str("payment.status").ShouldBe("requires_action");

        fx.Stripe.State.CompleteAction(body.Str("payment.paymentIntentId"), succeed: true);
        await fx.Stripe.Webhooks.DrainAsync();
        (await fx.PurchaseAsync(body.Str("id"))).Str("status").ShouldBe("confirmed");
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task ACancelledPaymentVoidsThePendingPledge()
    {
        var before = await fx.TotalsAsync();
        var body = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-CANCEL", paymentMethod: null), "st-cancel")).Expect(HttpStatusCode.Created);
        fx.Stripe.State.Cancel(body.Str("payment.paymentIntentId"));
        await fx.Stripe.Webhooks.DrainAsync();

        var purchase = await fx.PurchaseAsync(body.Str("id"));
        purchase.Str("status").ShouldBe("failed");
        purchase.Str("payment.status").ShouldBe("canceled");
        var after = await fx.TotalsAsync();
        after.Long("pending").ShouldBe(before.Long("pending"));
        after.Long("raised").ShouldBe(before.Long("raised"));
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task AnAmountBelowStripesMinimumIsRefusedBeforeAnythingIsRecorded()
    {
        var body = StripeFixture.StripePurchase("ST-TINY", amount: 10);
        body["roundUp"] = false;
        body["addOn"] = 0;
        var problem = await (await fx.Checkout.PostJson("/api/purchases", body, "st-tiny")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "amount");
        problem.Str("detail").ShouldContain("0.50 usd");
        (await (await fx.Admin.GetAsync("/api/purchases?orderId=ST-TINY")).Expect(HttpStatusCode.OK)).AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task ConfirmWithoutAPaymentMethodIsABadRequestNamingTheField()
    {
        var body = Seed.Purchase("ST-BAD", customerRef: null);
        body["payment"] = new { method = "stripe", confirm = true };
        await (await fx.Checkout.PostJson("/api/purchases", body, "st-bad")).ExpectProblem(HttpStatusCode.BadRequest, "payment.paymentMethodId");
    }

    [Fact]
    public async Task SecretKeysAndClientSecretsNeverReachTheLogsOrTheDatabase()
    {
        var body = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-LOGS", paymentMethod: null), "st-logs")).Expect(HttpStatusCode.Created);
        fx.Stripe.FailNext(new Fault(503, Path: "/v1/payment_intents")); // failures are logged: with what?
        await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-LOGS-2"), "st-logs-2")).Expect(HttpStatusCode.Created);
        await fx.Stripe.Webhooks.DrainAsync();

        var clientSecret = body.Str("payment.clientSecret");
        fx.App.Logs.ShouldNotBeEmpty();
        fx.App.Logs.ShouldContain(line => line.Contains("Stripe POST /v1/payment_intents failed: status 503"));
        fx.App.Logs.ShouldNotContain(line => line.Contains("sk_test_charitypromo") || line.Contains(clientSecret) || line.Contains("_secret_")
            || line.Contains(StripeFixture.WebhookSecret));
        var database = await fx.App.DatabaseBytesAsync();
        database.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(clientSecret)).ShouldBe(-1);
        database.AsSpan().IndexOf("sk_test_charitypromo"u8).ShouldBe(-1);
    }
}
