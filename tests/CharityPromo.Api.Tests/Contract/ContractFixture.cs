using System.Net.Http.Headers;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Contract;

/// <summary>
/// The real API (configured for Stripe, against the Stripe test double) with docs/openapi.json's validating proxy in
/// front of it, and a key of each scope.
/// </summary>
public sealed class ContractFixture : IAsyncLifetime
{
    public const string WebhookSecret = "whsec_test_contract_0123456789";

    public static string Document => Repository.PathTo("docs", "openapi.json");

    public ApiFactory App { get; } = new();
    public StripeDouble.StripeDouble Stripe { get; private set; } = null!;
    public PrismProxy Prism { get; private set; } = null!;
    public Dictionary<Caller, string> Keys { get; } = new();

    public async Task InitializeAsync()
    {
        Stripe = await StripeDouble.StripeDouble.StartAsync(App.Clock);
        App.Settings["Stripe:SecretKey"] = "sk_test_charitypromo";
        App.Settings["Stripe:ApiBase"] = Stripe.BaseUrl;
        App.Settings["Stripe:WebhookSecrets"] = WebhookSecret;
        App.Settings["Stripe:ReconcileEvery"] = "01:00:00";
        // Prism is a reverse proxy in front of the API, and is known as one: a step can say which client it forwards for.
        App.Settings["ForwardedHeaders:KnownProxies"] = "127.0.0.1";
        // A small budget of unknown keys per client address, so the journey reaches the documented 429 in a few requests.
        App.Settings["RateLimiting:UnknownKeysPerSecond"] = "1";
        App.Settings["RateLimiting:UnknownKeysBurst"] = "2";
        Keys[Caller.Admin] = await App.CreateKeyAsync("admin");
        Keys[Caller.Checkout] = await App.CreateKeyAsync("checkout");
        Keys[Caller.Finance] = await App.CreateKeyAsync("finance");
        Stripe.Webhooks.Url = new Uri(App.Address, "/api/stripe/webhook").ToString();
        Stripe.Webhooks.Secrets.Add(WebhookSecret);
        Prism = await PrismProxy.StartAsync(Document, App.Address);
    }

    /// <summary>A client of <paramref name="address"/> (Prism, or the API itself) that sends as <paramref name="caller"/>.</summary>
    public HttpClient Client(Uri address, Caller caller)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        // A fresh unknown key each time: one the API has seen is remembered, and costs it nothing the next time.
        var key = caller == Caller.UnknownKey ? CharityPromo.Api.Access.ApiKeys.Generate() : Keys.GetValueOrDefault(caller); // well formed, so it spends the budget
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public async Task DisposeAsync()
    {
        await Prism.DisposeAsync();
        await Stripe.DisposeAsync();
        await App.DisposeAsync();
    }
}
