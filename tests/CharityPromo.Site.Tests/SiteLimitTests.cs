extern alias site;
using System.Net;
using CharityPromo.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using LiveFeeds = site::CharityPromo.Site.LiveFeeds;
using PublicApi = site::CharityPromo.Site.Api.PublicApi;
using LastSeen = site::CharityPromo.Site.Api.LastSeen;
using SiteOptions = site::SiteOptions;

namespace CharityPromo.Site.Tests;

/// <summary>What one client can take from the site: a bucket of requests per address, and a few live streams.</summary>
public sealed class SiteLimitTests : IDisposable
{
    private readonly SiteFactory _site = new() { RequestsPerSecond = 1, RequestBurst = 3, MaxStreamsPerAddress = 1 };

    [Fact]
    public async Task OneAddressGetsItsBurstThenA429WhileStaticFilesStayFree()
    {
        var admin = _site.Api.Client(await _site.Api.CreateKeyAsync("admin"));
        await Seed.ContractCampaignAsync(admin, slug: "limited");
        var browser = _site.Browser();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++) statuses.Add((await browser.GetAsync("/campaigns/limited")).StatusCode);

        statuses.Take(3).ShouldAllBe(s => s == HttpStatusCode.OK);
        statuses.Skip(4).ShouldAllBe(s => s == HttpStatusCode.TooManyRequests);
        var refused = await browser.GetAsync("/");
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(1));
        (await browser.GetAsync("/site.css")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        (await browser.GetAsync("/campaigns/limited")).StatusCode.ShouldBe(HttpStatusCode.OK); // the bucket refills
    }

    [Fact]
    public async Task OneAddressHoldsAtMostItsShareOfLiveStreams()
    {
        var admin = _site.Api.Client(await _site.Api.CreateKeyAsync("admin"));
        await Seed.ContractCampaignAsync(admin, slug: "streamed");
        // As EventSource asks: the site streams only to a reader that accepts a stream.
        Task<HttpResponseMessage> OpenAsync()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/campaigns/streamed/live");
            request.Headers.Accept.ParseAdd("text/event-stream");
            return _site.Browser().SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        }
        using var first = await OpenAsync();
        first.StatusCode.ShouldBe(HttpStatusCode.OK);

        using var second = await OpenAsync();
        second.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        var feeds = _site.Services.GetRequiredService<LiveFeeds>();
        feeds.OpenStreams.ShouldBe(1);

        first.Dispose(); // the reader leaves: its place is given back
        for (var i = 0; i < 100 && feeds.OpenStreams > 0; i++) await Task.Delay(20);
        feeds.OpenStreams.ShouldBe(0);
    }

    public void Dispose() => _site.Dispose();
}

/// <summary>However many readers watch a campaign, the API is asked once per refresh period.</summary>
public class LiveFeedTests
{
    private sealed class CountingApi : HttpMessageHandler
    {
        public int Calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Interlocked.Increment(ref Calls);
            // "busy" is a campaign whose API is having a bad moment (kept, and asked again each period); any other is unknown.
            var busy = request.RequestUri!.AbsolutePath.EndsWith("/busy", StringComparison.Ordinal);
            return Task.FromResult(new HttpResponseMessage(busy ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.NotFound));
        }
    }

    [Fact]
    public async Task ManyStreamsOfOneCampaignShareOneCallPerRefreshPeriod()
    {
        var api = new CountingApi();
        var clock = new TestClock(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddSingleton<LastSeen>()
            .AddTransient(_ => new PublicApi(new HttpClient(api) { BaseAddress = new Uri("http://api.test") }, new LastSeen(), clock,
                Microsoft.Extensions.Logging.Abstractions.NullLogger<PublicApi>.Instance))
            .BuildServiceProvider();
        var feeds = new LiveFeeds(services, Options.Create(new SiteOptions { LiveRefreshSeconds = 5 }), clock);

        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => feeds.FiguresAsync("busy")));
        api.Calls.ShouldBe(1);
        clock.Advance(TimeSpan.FromSeconds(4));
        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => feeds.FiguresAsync("busy")));
        api.Calls.ShouldBe(1);
        clock.Advance(TimeSpan.FromSeconds(1));
        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => feeds.FiguresAsync("busy")));
        api.Calls.ShouldBe(2);
        await feeds.FiguresAsync("other");
        api.Calls.ShouldBe(3); // each campaign has its own
        feeds.Campaigns.ShouldBe(1); // "other" is unknown to the API (404): a made-up slug is not kept
    }
}
