using System.Net;
using System.Security.Cryptography;
using System.Text;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Payments;
using CharityPromo.Api.Payments.Stripe;
using CharityPromo.Api.Purchases;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CharityPromo.Api.Tests.Unit;

public class StripeFormTests
{
    [Fact]
    public void NestedKeysAreBracketedListsIndexedBooleansLowercaseAndNullsLeftOut()
    {
        var encoded = StripeForm.Encode(new Dictionary<string, object?>
        {
            ["amount"] = 5100L,
            ["currency"] = "usd",
            ["metadata"] = new Dictionary<string, string> { ["purchase_id"] = "p 1&2", ["order_id"] = "ORD=1" },
            ["automatic_payment_methods"] = new Dictionary<string, object?> { ["enabled"] = true, ["allow_redirects"] = null },
            ["expand"] = new[] { "latest_charge", "customer" },
            ["confirm"] = false,
            ["payment_method"] = null,
        });
        encoded.ShouldBe("amount=5100&currency=usd&metadata%5Bpurchase_id%5D=p%201%262&metadata%5Border_id%5D=ORD%3D1"
            + "&automatic_payment_methods%5Benabled%5D=true&expand%5B0%5D=latest_charge&expand%5B1%5D=customer&confirm=false");
    }

    [Fact]
    public void NumbersAreInvariantWhateverTheCulture()
    {
        var culture = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            StripeForm.Encode(new Dictionary<string, object?> { ["amount"] = 1234567L, ["created"] = new Dictionary<string, object?> { ["gte"] = 1.5m } })
                .ShouldBe("amount=1234567&created%5Bgte%5D=1.5");
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = culture;
        }
    }
}

public class EventUtilityTests
{
    private const string Secret = "whsec_unit";
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private const string Body = """{"id":"evt_1","type":"payment_intent.succeeded","created":1780315200,"data":{"object":{"id":"pi_1","amount":5100,"currency":"usd","status":"succeeded"}}}""";

    private static string Sign(string body, string secret, DateTimeOffset at) =>
        $"t={at.ToUnixTimeSeconds()},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{at.ToUnixTimeSeconds()}.{body}")))}";

    [Fact]
    public void AGoodSignatureGivesTheEvent()
    {
        var e = EventUtility.ConstructEvent(Body, Sign(Body, Secret, Now), [Secret], TimeSpan.FromMinutes(5), Now);
        e.Id.ShouldBe("evt_1");
        e.Type.ShouldBe("payment_intent.succeeded");
        e.Object<PaymentIntent>().Id.ShouldBe("pi_1");
    }

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("v1=00", "no timestamp")]
    [InlineData("t=1780315200", "no v1")]
    [InlineData("t=1780315200,v0=abc", "no v1")]
    public void AMalformedHeaderIsRefusedSayingWhy(string? header, string why) =>
        Should.Throw<StripeException>(() => EventUtility.ConstructEvent(Body, header, [Secret], TimeSpan.FromMinutes(5), Now))
            .Message.ShouldContain(why);

    [Fact]
    public void ASignatureIsCheckedAgainstEverySecretAndTheToleranceBothWays()
    {
        var signed = Sign(Body, "whsec_old", Now);
        EventUtility.ConstructEvent(Body, signed, ["whsec_new", "whsec_old"], TimeSpan.FromMinutes(5), Now).Id.ShouldBe("evt_1");
        Should.Throw<StripeException>(() => EventUtility.ConstructEvent(Body, signed, ["whsec_new"], TimeSpan.FromMinutes(5), Now));
        Should.Throw<StripeException>(() => EventUtility.ConstructEvent(Body + " ", signed, ["whsec_old"], TimeSpan.FromMinutes(5), Now));
        Should.Throw<StripeException>(() => EventUtility.ConstructEvent(Body, Sign(Body, Secret, Now.AddMinutes(-6)), [Secret], TimeSpan.FromMinutes(5), Now));
        Should.Throw<StripeException>(() => EventUtility.ConstructEvent(Body, Sign(Body, Secret, Now.AddMinutes(6)), [Secret], TimeSpan.FromMinutes(5), Now));
        Should.Throw<StripeException>(() => EventUtility.ConstructEvent(Body, Sign(Body, Secret, Now), [], TimeSpan.FromMinutes(5), Now))
            .Message.ShouldContain("No webhook signing secret");
    }
}

public class StripeClientRetryTests
{
    /// <summary>Answers each request with the next scripted response and records what was sent.</summary>
    private sealed class Script(params Func<HttpResponseMessage>[] answers) : HttpMessageHandler
    {
        private int _next;
        public List<(HttpMethod Method, string Uri, string? Key, string? Auth, string? Version)> Sent { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Sent.Add((request.Method, request.RequestUri!.ToString(), request.Headers.TryGetValues("Idempotency-Key", out var k) ? k.Single() : null,
                request.Headers.Authorization?.ToString(), request.Headers.GetValues("Stripe-Version").Single()));
            return Task.FromResult(answers[Math.Min(_next++, answers.Length - 1)]());
        }
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, string json, string? shouldRetry = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        response.Headers.Add("Request-Id", "req_123");
        if (shouldRetry is not null) response.Headers.Add("Stripe-Should-Retry", shouldRetry);
        return response;
    }

    private static StripeClient Client(Script script) => new(new HttpClient(script), Options.Create(new StripeOptions
    {
        SecretKey = "sk_test_unit", ApiBase = "https://stripe.test", RetryBaseDelay = TimeSpan.FromMilliseconds(1),
    }), NullLogger<StripeClient>.Instance);

    private const string Intent = """{"id":"pi_1","amount":5100,"currency":"usd","status":"succeeded","client_secret":"pi_1_secret_x","metadata":{"purchase_id":"p1"}}""";

    [Fact]
    public async Task A409AndA500AreRetriedWithTheSameKeyThenTheAnswerIsRead()
    {
        var script = new Script(() => Answer(HttpStatusCode.Conflict, """{"error":{"type":"api_error","message":"lock"}}"""),
            () => Answer(HttpStatusCode.InternalServerError, "<html>oops</html>"), () => Answer(HttpStatusCode.OK, Intent));
        var intent = await new PaymentIntentService(Client(script)).CreateAsync(new PaymentIntentCreateOptions { Amount = 5100, Currency = "usd" }, "purchase:p1:payment_intent", default);
        intent.ClientSecret.ShouldBe("pi_1_secret_x");
        intent.Metadata["purchase_id"].ShouldBe("p1");
        script.Sent.Count.ShouldBe(3);
        script.Sent.ShouldAllBe(s => s.Key == "purchase:p1:payment_intent" && s.Auth == "Bearer sk_test_unit" && s.Version == StripeOptions.PinnedApiVersion);
    }

    [Fact]
    public async Task AtMostTwoRetriesThenTheTypedErrorWithStatusAndRequestId()
    {
        var script = new Script(() => Answer(HttpStatusCode.ServiceUnavailable, """{"error":{"type":"api_error","message":"down"}}"""));
        var ex = await Should.ThrowAsync<StripeException>(() => new PaymentIntentService(Client(script)).GetAsync("pi_1", default));
        script.Sent.Count.ShouldBe(3);
        ex.HttpStatus.ShouldBe(503);
        ex.RequestId.ShouldBe("req_123");
        ex.IsTransient.ShouldBeTrue();
        script.Sent[0].Key.ShouldBeNull(); // GETs carry no idempotency key
    }

    [Fact]
    public async Task ShouldRetryFalseStopsAtOnceAndShouldRetryTrueRetriesEvenA400()
    {
        var no = new Script(() => Answer(HttpStatusCode.InternalServerError, """{"error":{"type":"api_error","message":"x"}}""", "false"));
        await Should.ThrowAsync<StripeException>(() => new PaymentIntentService(Client(no)).GetAsync("pi_1", default));
        no.Sent.Count.ShouldBe(1);

        var yes = new Script(() => Answer(HttpStatusCode.BadRequest, """{"error":{"type":"invalid_request_error","message":"x"}}""", "true"), () => Answer(HttpStatusCode.OK, Intent));
        (await new PaymentIntentService(Client(yes)).GetAsync("pi_1", default)).Id.ShouldBe("pi_1");
        yes.Sent.Count.ShouldBe(2);
    }

    [Fact]
    public async Task ACardErrorIsNotRetriedAndCarriesStripesFields()
    {
        var script = new Script(() => Answer(HttpStatusCode.PaymentRequired,
            """{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds.","param":null,"payment_intent":{"id":"pi_9","amount":5100,"currency":"usd","status":"requires_payment_method"}}}"""));
        var ex = await Should.ThrowAsync<StripeException>(() =>
            new RefundService(Client(script)).CreateAsync(new RefundCreateOptions { PaymentIntent = "pi_9" }, "refund:r1", default));
        script.Sent.Count.ShouldBe(1);
        ex.IsCardError.ShouldBeTrue();
        ex.StripeError.DeclineCode.ShouldBe("insufficient_funds");
        ex.StripeError.PaymentIntent!.Id.ShouldBe("pi_9");
        ex.Message.ShouldBe("Your card has insufficient funds.");
    }
}

public class PaymentRuleTests
{
    private static Purchase Paid(long refunded = 0, string? dispute = null) => new()
    {
        OrderId = "o", ReceiptCode = "r", Currency = "usd", Amount = 5000, RoundUp = 0, AddOn = 100, PaymentMethod = "stripe",
        PaymentStatus = PaymentStatuses.Succeeded, ConfirmedUtc = DateTime.UtcNow, Refunded = refunded, DisputeStatus = dispute,
    };

    [Fact]
    public void TheStatusFollowsFromTheFactsNotFromTheOrderTheyArrived()
    {
        Paid().ResolveStatus().ShouldBe(PurchaseStatus.Confirmed);
        Paid(refunded: 100).ResolveStatus().ShouldBe(PurchaseStatus.PartiallyRefunded);
        Paid(refunded: 5100).ResolveStatus().ShouldBe(PurchaseStatus.Refunded);
        Paid(dispute: "needs_response").ResolveStatus().ShouldBe(PurchaseStatus.Disputed);
        Paid(refunded: 100, dispute: "under_review").ResolveStatus().ShouldBe(PurchaseStatus.Disputed);
        Paid(dispute: "won").ResolveStatus().ShouldBe(PurchaseStatus.Confirmed);
        Paid(dispute: "warning_closed").ResolveStatus().ShouldBe(PurchaseStatus.Confirmed);
        Paid(dispute: "lost").ResolveStatus().ShouldBe(PurchaseStatus.Refunded);

        var unpaid = Paid();
        unpaid.ConfirmedUtc = null;
        unpaid.PaymentStatus = "requires_action";
        unpaid.ResolveStatus().ShouldBe(PurchaseStatus.Pending);
        unpaid.PaymentError = "Your card was declined.";
        unpaid.ResolveStatus().ShouldBe(PurchaseStatus.Failed);
        unpaid.PaymentError = null;
        unpaid.PaymentStatus = PaymentStatuses.Canceled;
        unpaid.ResolveStatus().ShouldBe(PurchaseStatus.Failed);
    }

    [Fact]
    public void ARefundsIdDependsOnlyOnClientKeyAndPurchase()
    {
        var client = Guid.NewGuid();
        var purchase = Guid.NewGuid();
        var first = StripeRefunds.RefundIdFor(new IdempotentRequest(client, "k1", "fp-a"), purchase);
        StripeRefunds.RefundIdFor(new IdempotentRequest(client, "k1", "fp-b"), purchase).ShouldBe(first);
        StripeRefunds.RefundIdFor(new IdempotentRequest(client, "k2", "fp-a"), purchase).ShouldNotBe(first);
        StripeRefunds.RefundIdFor(new IdempotentRequest(Guid.NewGuid(), "k1", "fp-a"), purchase).ShouldNotBe(first);
        first.Version.ShouldBe(8);
    }
}
