using System.Net;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>A flood of unknown API keys costs a bounded number of database lookups per address.</summary>
public class UnknownKeyTests
{
    private static ApiFactory App()
    {
        var app = new ApiFactory();
        app.Settings["RateLimiting:UnknownKeysPerSecond"] = "1";
        app.Settings["RateLimiting:UnknownKeysBurst"] = "5";
        app.Settings["ForwardedHeaders:KnownProxies"] = "127.0.0.1"; // so each test can speak from several addresses
        return app;
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string key, string from)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/purchases");
        request.Headers.Add("Authorization", $"Bearer {key}");
        request.Headers.Add("X-Forwarded-For", from);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task OnceAnAddressHasSpentItsLookupsEvenAValidKeyFromItIsRefusedBeforeAnyLookup()
    {
        using var app = App();
        var client = app.Client();
        var valid = await app.CreateKeyAsync("checkout");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++) statuses.Add((await GetAsync(client, $"cp_guess{i:D36}", "203.0.113.7")).StatusCode);
        statuses.Take(5).ShouldAllBe(s => s == HttpStatusCode.Unauthorized);
        statuses.Skip(6).ShouldAllBe(s => s == HttpStatusCode.TooManyRequests);

        // A lookup would have found this key: being refused shows none was made.
        var refused = await GetAsync(client, valid, "203.0.113.7");
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(1));
        (await refused.ExpectProblem(HttpStatusCode.TooManyRequests)).Str("title").ShouldBe("Too many unknown API keys");
        // Other addresses keep their own budget, and the budget refills.
        (await GetAsync(client, valid, "198.51.100.9")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        (await GetAsync(client, valid, "203.0.113.7")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnUnknownKeySentAgainIsAnsweredFromMemoryAndSpendsNothing()
    {
        using var app = App();
        var client = app.Client();
        var valid = await app.CreateKeyAsync("checkout");
        for (var i = 0; i < 30; i++)
            (await GetAsync(client, "cp_the_same_wrong_key_every_time_000000000", "203.0.113.8")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await GetAsync(client, valid, "203.0.113.8")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
