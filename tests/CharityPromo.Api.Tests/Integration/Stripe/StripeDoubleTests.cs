using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration.Stripe;

/// <summary>The double must refuse what Stripe refuses, or the client could drift from Stripe unnoticed.</summary>
public class StripeDoubleTests : IAsyncLifetime
{
    private StripeDouble.StripeDouble _stripe = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _stripe = await StripeDouble.StripeDouble.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_stripe.BaseUrl) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk_test_double");
    }

    public async Task DisposeAsync() => await _stripe.DisposeAsync();

    private async Task<HttpResponseMessage> Post(string path, string form, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded") };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return await _http.SendAsync(request);
    }

    [Theory]
    [InlineData("amount=5100&currency=usd&colour=red", "colour", "parameter_unknown")]
    [InlineData("amount=51.00&currency=usd", "amount", "parameter_invalid")]
    [InlineData("amount=5100&currency=USD", "currency", "parameter_invalid")]
    [InlineData("currency=usd", "amount", "parameter_missing")]
    [InlineData("amount=5100&currency=usd&confirm=True", "confirm", "parameter_invalid")]
    [InlineData("amount=5100&currency=usd&expand[1]=x", "expand[1]", "parameter_invalid")]
    [InlineData("amount=5100&currency=usd&metadata=flat", "metadata", "parameter_unknown")]
    [InlineData("amount=5100&currency=usd&automatic_payment_methods[enabled]=yes", "automatic_payment_methods[enabled]", "parameter_invalid")]
    [InlineData("amount=10&currency=usd", "amount", "amount_too_small")]
    public async Task MalformedOrUnknownParametersAreRefusedNamingTheParameter(string form, string param, string code)
    {
        var body = await (await Post("/v1/payment_intents", form)).Expect(HttpStatusCode.BadRequest);
        body.Str("error.type").ShouldBe("invalid_request_error");
        body.Str("error.param").ShouldBe(param);
        body.Str("error.code").ShouldBe(code);
        _stripe.IntentCount.ShouldBe(0);
    }

    [Fact]
    public async Task AKeyReusedWithOtherParametersIsAnIdempotencyErrorAndTheSameParametersReplay()
    {
        var first = await (await Post("/v1/payment_intents", "amount=5100&currency=usd&metadata[a]=1", "k-1")).Expect(HttpStatusCode.OK);
        var again = await (await Post("/v1/payment_intents", "metadata[a]=1&currency=usd&amount=5100", "k-1")).Expect(HttpStatusCode.OK);
        again.Str("id").ShouldBe(first.Str("id"));
        var other = await (await Post("/v1/payment_intents", "amount=5200&currency=usd", "k-1")).Expect(HttpStatusCode.BadRequest);
        other.Str("error.type").ShouldBe("idempotency_error");
        _stripe.IntentCount.ShouldBe(1);
    }

    [Fact]
    public async Task ItSpeaksOnlyStripeNetsPinnedApiVersion()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/payment_intents") { Content = new StringContent("amount=5100&currency=usd", Encoding.UTF8, "application/x-www-form-urlencoded") };
        request.Headers.Add("Stripe-Version", "2024-06-20");
        (await (await _http.SendAsync(request)).Expect(HttpStatusCode.BadRequest)).Str("error.code").ShouldBe("api_version_invalid");
        _stripe.IntentCount.ShouldBe(0);

        StripeDouble.StripeDouble.ApiVersion.ShouldBe(global::Stripe.StripeConfiguration.ApiVersion);
        var created = await (await Post("/v1/payment_intents", "amount=5100&currency=usd")).Expect(HttpStatusCode.OK);
        var listed = await (await _http.GetAsync("/v1/events?types[0]=payment_intent.created")).Expect(HttpStatusCode.OK);
        listed["data"]![0]!.Str("api_version").ShouldBe(global::Stripe.StripeConfiguration.ApiVersion);
        listed["data"]![0]!.Str("data.object.id").ShouldBe(created.Str("id"));
    }

    [Fact]
    public async Task LikeStripeItReplaysAStored500ForTheSameKeyAndKeepsKeysPerSecretKey()
    {
        _stripe.FailNext(new StripeDouble.Fault(500, Path: "/v1/payment_intents"));
        await (await Post("/v1/payment_intents", "amount=5100&currency=usd", "k-500")).Expect(HttpStatusCode.InternalServerError);
        (await (await Post("/v1/payment_intents", "amount=5100&currency=usd", "k-500")).Expect(HttpStatusCode.InternalServerError)).Str("error.type").ShouldBe("api_error");
        _stripe.IntentCount.ShouldBe(0);

        await (await Post("/v1/payment_intents", "amount=5100&currency=usd", "k-other")).Expect(HttpStatusCode.OK);
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk_test_another_account");
        await (await Post("/v1/payment_intents", "amount=5100&currency=usd", "k-500")).Expect(HttpStatusCode.OK);
        await (await Post("/v1/payment_intents", "amount=5100&currency=usd", "k-other")).Expect(HttpStatusCode.OK);
        _stripe.IntentCount.ShouldBe(3);
    }

    [Fact]
    public async Task ASecondRequestWithAKeyStillExecutingIsA409KeyInUseThenTheStoredAnswer()
    {
        _stripe.Idempotency.ExecutionTime = TimeSpan.FromSeconds(1);
        var first = Post("/v1/payment_intents", "amount=5100&currency=usd", "k-busy");
        while (_stripe.IntentCount == 0) await Task.Delay(10); // the first is executing (made, not yet answered)
        var second = await (await Post("/v1/payment_intents", "amount=5100&currency=usd", "k-busy")).Expect(HttpStatusCode.Conflict);
        second.Str("error.code").ShouldBe("idempotency_key_in_use");
        await (await first).Expect(HttpStatusCode.OK);
        _stripe.Idempotency.ExecutionTime = TimeSpan.Zero;

        var replay = await (await Post("/v1/payment_intents", "amount=5100&currency=usd", "k-busy")).Expect(HttpStatusCode.OK);
        replay.Str("status").ShouldBe("requires_payment_method");
        _stripe.IntentCount.ShouldBe(1);
    }

    [Fact]
    public async Task SearchFindsPaymentIntentsByMetadataAndRefusesOtherQueries()
    {
        var mine = await (await Post("/v1/payment_intents", "amount=5100&currency=usd&metadata[purchase_id]=p-1")).Expect(HttpStatusCode.OK);
        await (await Post("/v1/payment_intents", "amount=5100&currency=usd&metadata[purchase_id]=p-2")).Expect(HttpStatusCode.OK);
        var found = await (await _http.GetAsync("/v1/payment_intents/search?query=" + Uri.EscapeDataString("metadata['purchase_id']:'p-1'"))).Expect(HttpStatusCode.OK);
        found.Str("object").ShouldBe("search_result");
        found["data"]!.AsArray().Select(i => i!.Str("id")).ShouldBe([mine.Str("id")]);
        (await (await _http.GetAsync("/v1/payment_intents/search?query=" + Uri.EscapeDataString("amount>100"))).Expect(HttpStatusCode.BadRequest))
            .Str("error.param").ShouldBe("query");
    }

    [Fact]
    public async Task WithoutASecretKeyNothingIsAnswered()
    {
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "pk_test_publishable");
        await (await Post("/v1/payment_intents", "amount=5100&currency=usd")).Expect(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ListsPageNewestFirst()
    {
        for (var i = 0; i < 3; i++) await (await Post("/v1/payment_intents", $"amount={5100 + i}&currency=usd")).Expect(HttpStatusCode.OK);
        var page = await (await _http.GetAsync("/v1/events?limit=2&types[0]=payment_intent.created")).Expect(HttpStatusCode.OK);
        page["has_more"]!.GetValue<bool>().ShouldBeTrue();
        page["data"]![0]!.Long("data.object.amount").ShouldBe(5102);
        var rest = await (await _http.GetAsync($"/v1/events?limit=2&types[0]=payment_intent.created&starting_after={page["data"]![1]!.Str("id")}")).Expect(HttpStatusCode.OK);
        rest["has_more"]!.GetValue<bool>().ShouldBeFalse();
        rest["data"]![0]!.Long("data.object.amount").ShouldBe(5100);
        await (await _http.GetAsync("/v1/events?limit=101")).Expect(HttpStatusCode.BadRequest);
    }
}
