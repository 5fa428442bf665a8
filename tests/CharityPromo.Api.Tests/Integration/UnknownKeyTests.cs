using System.Net;
using CharityPromo.Api.Access;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>
/// A flood of unknown API keys costs a bounded number of database lookups per address, and never locks out the valid
/// keys of tills that share that address (a NAT, a guest Wi-Fi).
/// </summary>
public class UnknownKeyTests
{
    private const string SharedAddress = "203.0.113.7";

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

    private static async Task<List<HttpStatusCode>> FloodAsync(HttpClient client, IEnumerable<string> keys, string from)
    {
        var statuses = new List<HttpStatusCode>();
        foreach (var key in keys) statuses.Add((await GetAsync(client, key, from)).StatusCode);
        return statuses;
    }

    [Fact]
    public async Task WellFormedUnknownKeysSpendTheBudgetButAKeyAlreadyFoundValidIsNeverRefused()
    {
        using var app = App();
        var client = app.Client();
        var till = await app.CreateKeyAsync("checkout");
        var newcomer = await app.CreateKeyAsync("checkout");
        (await GetAsync(client, till, SharedAddress)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var statuses = await FloodAsync(client, Enumerable.Range(0, 8).Select(_ => ApiKeys.Generate()), SharedAddress);
        statuses.Take(5).ShouldAllBe(s => s == HttpStatusCode.Unauthorized);
        statuses.Skip(6).ShouldAllBe(s => s == HttpStatusCode.TooManyRequests);

        // The till behind the same address keeps working through the flood.
        (await GetAsync(client, till, SharedAddress)).StatusCode.ShouldBe(HttpStatusCode.OK);
        // A key not yet proven on this instance waits for the budget: telling it from junk is the lookup.
        var refused = await GetAsync(client, newcomer, SharedAddress);
        refused.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(1));
        (await refused.ExpectProblem(HttpStatusCode.TooManyRequests)).Str("title").ShouldBe("Too many unknown API keys");
        // Other addresses keep their own budget, and the budget refills.
        (await GetAsync(client, newcomer, "198.51.100.9")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        (await GetAsync(client, ApiKeys.Generate(), SharedAddress)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task MalformedKeysAreRefusedWithoutALookupAndSpendNoBudget()
    {
        using var app = App();
        var client = app.Client();
        var valid = await app.CreateKeyAsync("checkout");
        var forged = valid[..^1] + (valid[^1] == 'a' ? 'b' : 'a'); // the right shape, the wrong checksum
        var junk = Enumerable.Range(0, 60).Select(i => $"cp_guess{i:D36}").Append(forged).Append("not-a-key").Append(valid[..^6] + "!!!!!!");

        var statuses = await FloodAsync(client, junk, SharedAddress);

        statuses.ShouldAllBe(s => s == HttpStatusCode.Unauthorized);
        // Had any of them been looked up, the budget of 5 would be spent and this unproven key refused with a 429.
        (await GetAsync(client, valid, SharedAddress)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AKeyFoundValidThenRevokedIsRefusedAtItsNextRequest()
    {
        using var app = App();
        var client = app.Client();
        var name = $"till-{Guid.NewGuid():N}";
        var key = await app.CreateKeyAsync("checkout", name);
        (await GetAsync(client, key, SharedAddress)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await app.WithDbAsync(db => KeysCli.RunAsync(db, ["revoke", "--name", name], TextWriter.Null, TextWriter.Null, DateTime.UtcNow))).ShouldBe(0);

        await (await GetAsync(client, key, SharedAddress)).ExpectProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AKeyIssuedBeforeKeysCarriedAChecksumKeepsWorking()
    {
        using var app = App();
        var legacy = "cp_" + new string('k', 36) + "Ab12";
        ApiKeys.ShapeOf(legacy).ShouldBe(KeyShape.Unchecked);
        await app.WithDbAsync(async db =>
        {
            var row = new ApiKey { Name = $"old-till-{Guid.NewGuid():N}", Hash = ApiKeys.Hash(legacy), Prefix = ApiKeys.DisplayPrefix(legacy), Scopes = "checkout", CreatedUtc = DateTime.UtcNow };
            row.ClientId = row.Id;
            db.ApiKeys.Add(row);
            return await db.SaveChangesAsync();
        });

        (await GetAsync(app.Client(), legacy, SharedAddress)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnUnknownKeySentAgainIsAnsweredFromMemoryAndSpendsNothing()
    {
        using var app = App();
        var client = app.Client();
        var valid = await app.CreateKeyAsync("checkout");
        var wrong = ApiKeys.Generate();
        for (var i = 0; i < 30; i++) (await GetAsync(client, wrong, "203.0.113.8")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await GetAsync(client, valid, "203.0.113.8")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
