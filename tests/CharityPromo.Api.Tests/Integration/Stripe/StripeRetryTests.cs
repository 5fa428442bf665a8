using System.Net;
using CharityPromo.StripeDouble;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration.Stripe;

/// <summary>
/// Retries — the checkout's, Stripe.net's, and across Stripe failing, timing out or replaying a stored 500 — never
/// make a second purchase, a second PaymentIntent or a second charge.
/// </summary>
public class StripeRetryTests(StripeFixture fx) : IClassFixture<StripeFixture>
{
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
        var kept = await fx.PurchaseAsync(purchaseId);
        (kept.Str("status"), kept.Str("payment.status"), kept["confirmedUtc"]).ShouldBe(("pending", "not_started", null));
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
}
