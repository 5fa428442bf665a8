using System.Net;
using CharityPromo.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace CharityPromo.Api.Tests.Integration;

public class AccessTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    public static TheoryData<string, string, string> Endpoints => new()
    {
        // method, path, scopes allowed ("anonymous" = no key needed)
        { "GET", "/api/campaigns", "anonymous" },
        { "GET", "/api/campaigns/literacy-2026", "anonymous" },
        { "GET", "/api/charities", "anonymous" },
        { "GET", "/api/charities/read-together", "anonymous" },
        { "GET", "/api/receipts/0000-0000-0000", "anonymous" },
        { "GET", "/api/campaigns/literacy-2026/pledges/recent", "anonymous" },
        { "GET", "/health/live", "anonymous" },
        { "GET", "/health/ready", "anonymous" },
        { "POST", "/api/charities", "admin" },
        { "PUT", "/api/charities/read-together", "admin" },
        { "POST", "/api/campaigns", "admin" },
        { "PUT", "/api/campaigns/literacy-2026", "admin" },
        { "GET", "/api/admin/invariants", "admin,monitor" },
        { "GET", "/api/admin/writer", "admin,monitor" },
        { "GET", "/api/admin/audit", "admin" },
        { "GET", "/api/admin/audit.csv", "admin" },
        { "DELETE", "/api/customers/c-123", "admin" },
        { "POST", "/api/pledges/quote", "checkout" },
        { "GET", "/api/reports/pledges", "finance" },
        { "GET", "/api/reports/pledges?format=csv", "finance" },
        { "GET", "/api/reports/summary", "finance" },
        { "GET", "/api/reports/liability", "finance" },
        { "POST", "/api/remittances", "finance" },
        { "GET", "/api/remittances", "finance" },
        { "GET", "/api/remittances/01234567-89ab-7def-8123-456789abcdef/statement", "finance" },
        { "POST", "/api/purchases", "checkout" },
        { "GET", "/api/purchases", "checkout,finance,admin" },
        { "POST", "/api/purchases/01234567-89ab-7def-8123-456789abcdef/refunds", "checkout,admin" },
        { "GET", "/api/purchases/01234567-89ab-7def-8123-456789abcdef", "checkout,finance,admin" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task EveryEndpointAnswersEachKindOfCallerAsDocumented(string method, string path, string allowed)
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        await Seed.ContractCampaignAsync(admin, slug: $"access-{Guid.NewGuid():N}"[..20]);
        var keys = new Dictionary<string, string?>
        {
            ["none"] = null,
            ["admin"] = await app.CreateKeyAsync("admin"),
            ["checkout"] = await app.CreateKeyAsync("checkout"),
            ["finance"] = await app.CreateKeyAsync("finance"),
            ["monitor"] = await app.CreateKeyAsync("monitor"),
        };

        foreach (var (caller, key) in keys)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method != "GET") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            var response = await app.Client(key).SendAsync(request);
            var status = response.StatusCode;

            if (allowed == "anonymous" || allowed.Split(',').Contains(caller))
            {
                status.ShouldNotBe(HttpStatusCode.Unauthorized, $"{caller} {method} {path}");
                status.ShouldNotBe(HttpStatusCode.Forbidden, $"{caller} {method} {path}");
                ((int)status).ShouldBeLessThan(500, $"{caller} {method} {path}");
            }
            else if (caller == "none")
            {
                await response.ExpectProblem(HttpStatusCode.Unauthorized);
                response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
            }
            else
            {
                await response.ExpectProblem(HttpStatusCode.Forbidden);
            }
        }
    }

    [Theory]
    [InlineData("Bearer cp_not-a-key")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer ")]
    public async Task UnknownKeysAndOtherSchemesAreUnauthorized(string header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/admin/invariants");
        request.Headers.TryAddWithoutValidation("Authorization", header);
        await (await app.Client().SendAsync(request)).ExpectProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ARevokedKeyStopsWorking()
    {
        var name = $"to-revoke-{Guid.NewGuid():N}";
        var key = await app.CreateKeyAsync("admin", name);
        await (await app.Client(key).GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);

        var exit = await app.WithDbAsync(db => CharityPromo.Api.Access.KeysCli.RunAsync(db, ["revoke", "--name", name], TextWriter.Null, TextWriter.Null, DateTime.UtcNow));
        exit.ShouldBe(0);
        await (await app.Client(key).GetAsync("/api/admin/invariants")).ExpectProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task KeysAreCheckedWithoutDataProtection()
    {
        // ASP.NET's data protection serves cookies; with it registered, a key ring is loaded at every start (and
        // created under ~/.aspnet on the first). API keys work without it.
        await (await app.Client(await app.CreateKeyAsync("admin")).GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
        app.Services.GetService<IDataProtectionProvider>().ShouldBeNull();
    }

    [Fact]
    public async Task TheOutputCacheAnswersOnlyRequestsWithoutCredentials()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        await Seed.ContractCampaignAsync(admin);
        await (await app.Client().GetAsync("/api/campaigns/literacy-2026")).Expect(HttpStatusCode.OK); // now cached
        var cached = await app.Client().GetAsync("/api/campaigns/literacy-2026");
        cached.StatusCode.ShouldBe(HttpStatusCode.OK);
        cached.Headers.Age.ShouldNotBeNull(); // served from the cache

        // Requests that carry credentials go through authentication, never to the cache.
        var badKey = await app.Client("cp_not_a_real_key_000000000000000000000000").GetAsync("/api/campaigns/literacy-2026");
        badKey.Headers.Age.ShouldBeNull();
        await (await app.Client("cp_not_a_real_key_000000000000000000000000").GetAsync("/api/admin/invariants")).ExpectProblem(HttpStatusCode.Unauthorized);
        var withKey = await admin.GetAsync("/api/campaigns/literacy-2026");
        withKey.StatusCode.ShouldBe(HttpStatusCode.OK);
        withKey.Headers.Age.ShouldBeNull();
    }
}

public class RateLimitTests : IClassFixture<ApiFactory>
{
    private readonly ApiFactory _app;

    public RateLimitTests(ApiFactory app)
    {
        app.Settings["RateLimiting:PerKeyPerSecond"] = "1";
        app.Settings["RateLimiting:PerKeyBurst"] = "3";
        _app = app;
    }

    [Fact]
    public async Task AKeyOverItsLimitGets429WithRetryAfter()
    {
        var client = _app.Client(await _app.CreateKeyAsync("admin"));
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 6; i++)
        {
            var response = await client.GetAsync("/api/admin/invariants");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited ??= response;
        }
        statuses.Take(3).ShouldAllBe(s => s == HttpStatusCode.OK);
        limited.ShouldNotBeNull();
        await limited.ExpectProblem(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter.ShouldNotBeNull();
        // Another key has its own bucket.
        await (await _app.Client(await _app.CreateKeyAsync("admin")).GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
    }
}
