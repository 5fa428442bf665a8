using System.Net;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>Anonymous rate limits per shopper behind a reverse proxy, and only behind one that is configured.</summary>
public class KnownProxyTests
{
    private static ApiFactory App(bool trustLoopback)
    {
        var app = new ApiFactory();
        app.Settings["RateLimiting:AnonymousPerSecond"] = "1";
        app.Settings["RateLimiting:AnonymousBurst"] = "3";
        if (trustLoopback) app.Settings["ForwardedHeaders:KnownProxies"] = "127.0.0.1";
        return app;
    }

    /// <summary>Anonymous requests to a key-only read (401 each, so never cached) from <paramref name="forwardedFor"/> until one is limited.</summary>
    private static async Task<List<HttpStatusCode>> FromAsync(HttpClient client, string forwardedFor, int times)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < times; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/purchases");
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            statuses.Add((await client.SendAsync(request)).StatusCode);
        }
        return statuses;
    }

    [Fact]
    public async Task BehindAKnownProxyEachShopperHasTheirOwnAnonymousBucket()
    {
        using var app = App(trustLoopback: true);
        var client = app.Client();
        (await FromAsync(client, "203.0.113.7", 6)).ShouldContain(HttpStatusCode.TooManyRequests);
        (await FromAsync(client, "198.51.100.9", 1)).ShouldBe([HttpStatusCode.Unauthorized]);
    }

    [Fact]
    public async Task WithoutOneTheHeaderChoosesNothing()
    {
        using var app = App(trustLoopback: false);
        var client = app.Client();
        (await FromAsync(client, "203.0.113.7", 6)).ShouldContain(HttpStatusCode.TooManyRequests);
        // Another forwarded address is the same caller, over the same budget.
        (await FromAsync(client, "198.51.100.9", 1)).ShouldBe([HttpStatusCode.TooManyRequests]);
    }

    [Fact]
    public void AProxyThatIsNotAnAddressStopsTheStart()
    {
        using var app = new ApiFactory();
        app.Settings["ForwardedHeaders:KnownNetworks"] = "10.0.0.0/33";
        Should.Throw<InvalidOperationException>(() => app.Client()).Message.ShouldContain("KnownNetworks");
    }
}
