using System.Net;
using CharityPromo.StripeDouble;
using CharityPromo.Testing;

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
    public async Task StripeUnavailableThenTimingOutIsRetriedWithTheSameIdempotencyKeyAndMakesOnePaymentIntent()
    {
        var intents = fx.Stripe.IntentCount;
        fx.Stripe.FailNext(new Fault(503, Path: "/v1/payment_intents")); // from in front of Stripe's API: nothing stored under the key
        fx.Stripe.FailNext(new Fault(Delay: TimeSpan.FromSeconds(3), AfterHandling: true, Path: "/v1/payment_intents")); // handled, but the answer never arrives in time
        var body = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-FLAKY"), "st-flaky")).Expect(HttpStatusCode.Created);
        body.Str("status").ShouldBe("confirmed");

        fx.Stripe.IntentCount.ShouldBe(intents + 1);
        var attempts = fx.Stripe.Requests.Where(r => r.Path == "/v1/payment_intents" && r.Body.Contains("ST-FLAKY")).ToList();
        attempts.Count.ShouldBe(3);
        attempts.Select(a => a.IdempotencyKey).Distinct().ShouldBe([$"purchase:{body.Str("id")}:payment_intent"]);
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task WhenStripeStaysDownThePurchaseIsKeptUnpaidAndTheRetryResumesItWithoutASecondPaymentIntent()
    {
        var intents = fx.Stripe.IntentCount;
        fx.Stripe.FailNext(new Fault(Delay: TimeSpan.FromSeconds(3), Path: "/v1/payment_intents"), times: 3);
        var problem = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-DOWN"), "st-down"))
            .ExpectProblem(HttpStatusCode.ServiceUnavailable);
        problem.Str("type").ShouldBe("urn:charitypromo:problem:payment-provider-unavailable");
        var purchaseId = problem.Str("purchaseId");
        (await fx.PurchaseAsync(purchaseId)).Str("payment.status").ShouldBe("not_started");
        fx.Stripe.IntentCount.ShouldBe(intents);

        // Right away, Stripe's search cannot yet prove that the timed-out attempts made nothing: no new PaymentIntent yet.
        var settling = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-DOWN"), "st-down"))
            .ExpectProblem(HttpStatusCode.ServiceUnavailable);
        settling.Long("retryAfterSeconds").ShouldBeInRange(1, 60);
        fx.Stripe.IntentCount.ShouldBe(intents);

        fx.App.Clock.Advance(TimeSpan.FromSeconds(61));
        var retried = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-DOWN"), "st-down")).Expect(HttpStatusCode.Created);
        retried.Str("id").ShouldBe(purchaseId);
        retried.Str("status").ShouldBe("confirmed");
        fx.Stripe.IntentCount.ShouldBe(intents + 1);
        fx.Stripe.Requests.Last(r => r.Path == "/v1/payment_intents" && r.Method == "POST").IdempotencyKey.ShouldBe($"purchase:{purchaseId}:payment_intent:1");

        // Retried again later: the same purchase and PaymentIntent, read back rather than created.
        var again = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-DOWN"), "st-down")).Expect(HttpStatusCode.Created);
        again.Str("payment.paymentIntentId").ShouldBe(retried.Str("payment.paymentIntentId"));
        fx.Stripe.IntentCount.ShouldBe(intents + 1);
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task AStripe500StoredUnderTheKeyAfterThePaymentWasMadeIsFoundByItsMetadataNotChargedAgain()
    {
        var intents = fx.Stripe.IntentCount;
        // Stripe made and confirmed the PaymentIntent, then answered 500 — and keeps answering it for that key.
        fx.Stripe.FailNext(new Fault(500, AfterHandling: true, Path: "/v1/payment_intents"));
        var problem = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-500-MADE"), "st-500-made"))
            .ExpectProblem(HttpStatusCode.ServiceUnavailable);
        var purchaseId = problem.Str("purchaseId");
        fx.Stripe.IntentCount.ShouldBe(intents + 1);
        var attempts = fx.Stripe.Requests.Where(r => r.Path == "/v1/payment_intents" && r.Body.Contains("ST-500-MADE")).ToList();
        attempts.Count.ShouldBe(3); // Stripe.net retried twice with the same key and got the stored 500 each time
        await fx.Stripe.Webhooks.DrainAsync();

        var retried = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-500-MADE"), "st-500-made")).Expect(HttpStatusCode.Created);
        retried.Str("id").ShouldBe(purchaseId);
        retried.Str("status").ShouldBe("confirmed");
        fx.Stripe.IntentCount.ShouldBe(intents + 1);
        fx.Stripe.State.Locked(_ => fx.Stripe.State.Charges.Values.Count(c => c.Metadata.GetValueOrDefault("purchase_id") == purchaseId)).ShouldBe(1);
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task AStripe500StoredUnderTheKeyBeforeAnythingWasMadeIsResumedUnderANewKeyOnce()
    {
        var intents = fx.Stripe.IntentCount;
        fx.Stripe.FailNext(new Fault(500, Path: "/v1/payment_intents"));
        var purchaseId = (await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-500-NONE"), "st-500-none"))
            .ExpectProblem(HttpStatusCode.ServiceUnavailable)).Str("purchaseId");
        fx.Stripe.IntentCount.ShouldBe(intents);

        fx.App.Clock.Advance(TimeSpan.FromSeconds(61));
        var retries = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-500-NONE"), "st-500-none")));
        foreach (var retry in retries) (await retry.Expect(HttpStatusCode.Created)).Str("id").ShouldBe(purchaseId);
        fx.Stripe.IntentCount.ShouldBe(intents + 1);
        fx.Stripe.Requests.Where(r => r.Path == "/v1/payment_intents" && r.Body.Contains("ST-500-NONE")).Select(r => r.IdempotencyKey).Distinct()
            .ShouldBe([$"purchase:{purchaseId}:payment_intent", $"purchase:{purchaseId}:payment_intent:1"], ignoreOrder: true);
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task ARateLimited429IsNotRetriedLikeStripesOwnLibrariesAndAnswers503()
    {
        fx.Stripe.FailNext(new Fault(429, Path: "/v1/payment_intents"));
        var before = fx.Stripe.Requests.Count(r => r.Path == "/v1/payment_intents");
        var problem = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-429"), "st-429")).ExpectProblem(HttpStatusCode.ServiceUnavailable);
        problem.Str("type").ShouldBe("urn:charitypromo:problem:payment-provider-unavailable");
        fx.Stripe.Requests.Count(r => r.Path == "/v1/payment_intents").ShouldBe(before + 1);
    }

    [Fact]
    public async Task StripeSayingDoNotRetryIsNotRetried()
    {
        fx.Stripe.FailNext(new Fault(503, ShouldRetry: false, Path: "/v1/payment_intents"));
        var before = fx.Stripe.Requests.Count;
        await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-NORETRY"), "st-noretry")).ExpectProblem(HttpStatusCode.ServiceUnavailable);
        fx.Stripe.Requests.Count.ShouldBe(before + 1);
    }

    [Fact]
    public async Task ConcurrentRetriesOfOneRequestMakeOnePurchaseAndOnePaymentIntent()
    {
        var intents = fx.Stripe.IntentCount;
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-RACE"), "st-race")));
        var ids = new HashSet<string>();
        foreach (var response in responses) ids.Add((await response.Expect(HttpStatusCode.Created)).Str("id"));
        ids.Count.ShouldBe(1);
        fx.Stripe.IntentCount.ShouldBe(intents + 1);
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task TheSameKeyWithAnotherBodyIsRefused()
    {
        await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-KEY"), "st-key")).Expect(HttpStatusCode.Created);
        await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("ST-KEY", amount: 6000), "st-key"))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "Idempotency-Key");
    }

    private async Task<int> PurchasesWithOrderAsync(params string[] orderIds)
    {
        var found = 0;
        foreach (var orderId in orderIds)
            found += (await (await fx.Checkout.GetAsync($"/api/purchases?orderId={orderId}")).Expect(HttpStatusCode.OK)).AsArray().Count;
        return found;
    }

    [Theory]
    [InlineData("external", "stripe")]
    [InlineData("stripe", "external")]
    public async Task OneIdempotencyKeyRecordsOnePurchaseWhicheverPaymentMethodCameFirst(string first, string second)
    {
        object Body(string method, string orderId) => method == "stripe" ? StripeFixture.StripePurchase(orderId) : Seed.Purchase(orderId, customerRef: null);
        var key = $"xm-{first}-{second}";
        var before = await fx.TotalsAsync();
        await (await fx.Checkout.PostJson("/api/purchases", Body(first, $"XM-{first}-1"), key)).Expect(HttpStatusCode.Created);

        await (await fx.Checkout.PostJson("/api/purchases", Body(second, $"XM-{first}-2"), key)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "Idempotency-Key");
        await (await fx.Checkout.PostJson("/api/purchases", Body(second, $"XM-{first}-2"), key)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "Idempotency-Key");
        // The first request again is still answered as the first time.
        (await (await fx.Checkout.PostJson("/api/purchases", Body(first, $"XM-{first}-1"), key)).Expect(HttpStatusCode.Created)).Str("orderId").ShouldBe($"XM-{first}-1");

        (await PurchasesWithOrderAsync($"XM-{first}-1", $"XM-{first}-2")).ShouldBe(1);
        await fx.Stripe.Webhooks.DrainAsync();
        (await fx.TotalsAsync()).Long("raised").ShouldBe(before.Long("raised") + 351);
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task ConcurrentFirstUsesOfOneKeyWithBothPaymentMethodsMakeOnePurchase()
    {
        var before = await fx.TotalsAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => fx.Checkout.PostJson("/api/purchases",
            i % 2 == 0 ? StripeFixture.StripePurchase("XM-RACE-S") : Seed.Purchase("XM-RACE-E", customerRef: null), "xm-race")));

        var created = responses.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
        created.ShouldNotBeEmpty();
        var ids = new HashSet<string>();
        foreach (var response in created) ids.Add((await response.Json()).Str("id"));
        ids.Count.ShouldBe(1);
        foreach (var refused in responses.Except(created)) await refused.ExpectProblem(HttpStatusCode.UnprocessableEntity, "Idempotency-Key");
        (await PurchasesWithOrderAsync("XM-RACE-S", "XM-RACE-E")).ShouldBe(1);
        await fx.Stripe.Webhooks.DrainAsync();
        (await fx.TotalsAsync()).Long("raised").ShouldBe(before.Long("raised") + 351);
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
