using System.Net;
using CharityPromo.Testing;

namespace CharityPromo.Site.Tests;

public class HomePageTests(SiteFactory site) : IClassFixture<SiteFactory>
{
    [Fact]
    public async Task TheHomePageShowsRunningCampaignsWithTheApisFiguresToTheCent()
    {
        var admin = site.Api.Client(await site.Api.CreateKeyAsync("admin"));
        var checkout = site.Api.Client(await site.Api.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, slug: "home-usd");
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "home-ended", ends: "2026-02-01T00:00:00Z"))).Expect(HttpStatusCode.Created);
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("H-1", campaign: "home-usd"), "h-1")).Expect(HttpStatusCode.Created);
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("H-2", 123_456, campaign: "home-usd"), "h-2")).Expect(HttpStatusCode.Created);

        var (response, page) = await site.GetPageAsync("/");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);

        var running = page.QuerySelector("section[aria-labelledby=active-heading]")!;
        var card = running.QuerySelectorAll("article").Single(a => a.QuerySelector("h3 a")!.GetAttribute("href") == "/campaigns/home-usd");
        // 351 + (500 capped + 44 round-up + 100 add-on) = 995 cents
        card.QuerySelector("[data-live=raised]")!.TextContent.ShouldBe("$9.95");
        card.TextContent.ShouldContain("raised of $10,000.00");
        card.QuerySelector("progress")!.GetAttribute("aria-label")!.ShouldContain("0% of goal");
        card.TextContent.ShouldContain("2 purchases");
        card.TextContent.ShouldContain("Read Together");

        var ended = page.QuerySelector("section[aria-labelledby=ended-heading]")!;
        ended.QuerySelectorAll("h3 a").Select(a => a.GetAttribute("href")).ShouldContain("/campaigns/home-ended");
        running.QuerySelectorAll("h3 a").Select(a => a.GetAttribute("href")).ShouldNotContain("/campaigns/home-ended");
        page.QuerySelectorAll("script").ShouldBeEmpty(); // complete without JavaScript
    }

    [Fact]
    public async Task AnUnknownPageIsAFriendly404()
    {
        var (response, page) = await site.GetPageAsync("/no/such/page");
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        page.QuerySelector("h1")!.TextContent.ShouldBe("We couldn't find that");
    }
}

public class ApiDownTests : IDisposable
{
    private readonly SiteFactory _site = new();

    [Fact]
    public async Task WhenTheApiGoesDownTheHomePageShowsTheLastTotalsWithTheirTime()
    {
        var admin = _site.Api.Client(await _site.Api.CreateKeyAsync("admin"));
        await Seed.ContractCampaignAsync(admin, slug: "resilient");
        var (_, before) = await _site.GetPageAsync("/");
        before.QuerySelector("a[href='/campaigns/resilient']").ShouldNotBeNull();
        before.QuerySelector(".notice").ShouldBeNull();

        _site.Api.Dispose(); // the API stops answering

        var (response, after) = await _site.GetPageAsync("/");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        after.QuerySelector("a[href='/campaigns/resilient']").ShouldNotBeNull();
        var notice = after.QuerySelector(".notice")!;
        notice.TextContent.ShouldContain("These are as of");
        notice.QuerySelector("time")!.GetAttribute("datetime").ShouldNotBeNullOrEmpty();
    }

    public void Dispose() => _site.Dispose();
}

public class ApiNeverUpTests
{
    [Fact]
    public async Task WhenTheApiHasNeverAnsweredThePageSaysSoInsteadOfFailing()
    {
        using var site = new SiteFactory { ApiBaseUrl = "http://127.0.0.1:9/" }; // nothing listens on the discard port
        var (response, page) = await site.GetPageAsync("/");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        page.QuerySelector(".notice")!.TextContent.ShouldContain("not available right now");
    }
}
