using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using CharityPromo.Testing;

namespace CharityPromo.Site.Tests;

public class PageTests(SiteFactory site) : IClassFixture<SiteFactory>
{
    private async Task<(HttpClient Admin, HttpClient Checkout)> SetUpAsync(string slug, string[]? charities = null)
    {
        var admin = site.Api.Client(await site.Api.CreateKeyAsync("admin"));
        var checkout = site.Api.Client(await site.Api.CreateKeyAsync("checkout"));
        await (await admin.PostJson("/api/charities", Seed.Charity())).Content.ReadAsStringAsync();
        await (await admin.PostJson("/api/charities", Seed.Charity("tree-fund", "Tree Fund"))).Content.ReadAsStringAsync();
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: slug, charities: charities))).Expect(HttpStatusCode.Created);
        return (admin, checkout);
    }

    [Fact]
    public async Task TheCampaignPageShowsTheApisFiguresPerCharityAndAnAnonymousFeed()
    {
        var (_, checkout) = await SetUpAsync("page-campaign", ["read-together", "tree-fund"]);
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("PC-1", campaign: "page-campaign", customerRef: "secret-customer"), "pc-1")).Expect(HttpStatusCode.Created);
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("PC-2", 20_000, campaign: "page-campaign", charity: "tree-fund", addOn: 0), "pc-2")).Expect(HttpStatusCode.Created);
        var api = await (await site.Api.Client().GetAsync("/api/campaigns/page-campaign")).Expect(HttpStatusCode.OK);
        api.Long("totals.raised").ShouldBe(351 + 500);

        var (response, page) = await site.GetPageAsync("/campaigns/page-campaign");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        page.QuerySelector("h1")!.TextContent.ShouldBe("Reading for every child");
        page.QuerySelector("[data-live=raised]")!.TextContent.ShouldBe("$8.51");
        page.QuerySelector("[data-live=percent]")!.TextContent.ShouldBe("0");
        page.QuerySelector("[data-live=purchases]")!.TextContent.ShouldBe("2 purchases");
        page.QuerySelector("[data-live=pending]")!.TextContent.ShouldBe("$0.00");
        page.QuerySelector(".figures")!.TextContent.ShouldContain("raised of $10,000.00");

        var rows = page.QuerySelectorAll("section[aria-labelledby=charities-heading] tbody tr")
            .Select(r => r.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray()).ToList();
        rows.ShouldContain(r => r[0] == "Tree Fund" && r[1] == "$5.00" && r[2] == "$0.00" && r[3] == "1");
        rows.ShouldContain(r => r[0] == "Read Together" && r[1] == "$3.51" && r[2] == "$0.00" && r[3] == "1");
        page.QuerySelector(".paid-line")!.TextContent.Trim().ShouldBe("None of this has been paid to the charities yet");

        page.QuerySelector("section[aria-labelledby=how-heading]")!.TextContent.ShouldContain("5% of every purchase, up to $5.00, goes to Read Together and Tree Fund.");
        var feed = page.QuerySelectorAll(".feed li").Select(li => li.TextContent).ToList();
        feed.Count.ShouldBe(2);
        feed.ShouldContain(f => f.Contains("$3.51") && f.Contains("Read Together"));
        var html = page.DocumentElement.OuterHtml;
        foreach (var secret in new[] { "PC-1", "PC-2", "secret-customer", "POS-77" }) html.ShouldNotContain(secret);

        page.QuerySelector("svg.chart title")!.TextContent.ShouldContain("$8.51");
        // The chart reads on its own: dates from the campaign's start, amounts in its currency, today marked; the goal
        // ($10,000.00) is far above $8.51, so it is left out rather than flattening the line.
        var chart = page.QuerySelector("svg.chart")!;
        chart.QuerySelectorAll("text.x-label").First().TextContent.ShouldBe("1 Jan");
        var amounts = chart.QuerySelectorAll("text.y-label").Select(t => t.TextContent).ToList();
        amounts[0].ShouldBe("$0.00");
        amounts.ShouldAllBe(a => a.StartsWith('$'));
        decimal.Parse(amounts[^1].TrimStart('$'), System.Globalization.CultureInfo.GetCultureInfo("en-US")).ShouldBeGreaterThanOrEqualTo(8.51m);
        chart.QuerySelector("text.today-label")!.TextContent.ShouldBe("Today");
        chart.QuerySelector("text.goal-label").ShouldBeNull();
        page.QuerySelector("#embed-code")!.TextContent.ShouldContain("/badge/page-campaign.svg");
        page.QuerySelector("script[src^='/live.js']").ShouldNotBeNull();
    }

    [Fact]
    public async Task TheLiveHandlerReturnsTheFormattedFigures()
    {
        var (_, checkout) = await SetUpAsync("page-live");
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("PL-1", campaign: "page-live"), "pl-1")).Expect(HttpStatusCode.Created);
        var live = await (await site.Browser().GetAsync("/campaigns/page-live?handler=live")).Expect(HttpStatusCode.OK);
        live.Str("raised").ShouldBe("$3.51");
        live.Str("purchases").ShouldBe("1 purchase");
        live["percent"]!.GetValue<int>().ShouldBe(0);
        live["stale"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task TheImpactPageShowsWhatThePurchaseGaveWithAQrCode()
    {
        var (_, checkout) = await SetUpAsync("page-impact");
        var purchase = await (await checkout.PostJson("/api/purchases", Seed.Purchase("PI-1", campaign: "page-impact"), "pi-1")).Expect(HttpStatusCode.Created);
        var code = purchase.Str("receiptCode");

        var (response, page) = await site.GetPageAsync($"/impact/{code.ToLowerInvariant()}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        page.QuerySelector(".big")!.TextContent.ShouldContain("gave $3.51 to Read Together");
        var breakdown = page.QuerySelectorAll(".breakdown tr").Select(r => r.TextContent.Trim()).ToList();
        breakdown.ShouldContain(r => r.StartsWith("From the shop") && r.EndsWith("$2.50"));
        breakdown.ShouldContain(r => r.StartsWith("Your round-up") && r.EndsWith("$0.01"));
        breakdown.ShouldContain(r => r.StartsWith("Your own gift") && r.EndsWith("$1.00"));
        page.QuerySelector(".impact")!.TextContent.ShouldContain("has raised $3.51 of $10,000.00");
        page.QuerySelector(".qr svg").ShouldNotBeNull();
        page.QuerySelector(".qr figcaption")!.TextContent.ShouldContain(code);

        var (formResponse, _) = await site.GetPageAsync($"/impact?code={code.ToLowerInvariant()}");
        formResponse.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        formResponse.Headers.Location!.ToString().ShouldBe($"/impact/{code.ToLowerInvariant()}");
        var (_, shortCode) = await site.GetPageAsync("/impact?code=ABC");
        shortCode.QuerySelector("#code-error")!.TextContent.ShouldContain("12 letters and digits");
        shortCode.QuerySelector("#code")!.GetAttribute("aria-invalid").ShouldBe("true");
        shortCode.QuerySelector("#code")!.GetAttribute("value").ShouldBe("ABC"); // what they typed stays, to correct
        var (_, empty) = await site.GetPageAsync("/impact?code=");
        empty.QuerySelector("#code-error")!.TextContent.ShouldContain("Type the code printed on your receipt");
        var (_, markup) = await site.GetPageAsync("/impact?code=%3Cscript%3EABCD12345678");
        markup.QuerySelector("#code-error")!.TextContent.ShouldContain("12 letters and digits");
        var (_, fresh) = await site.GetPageAsync("/impact");
        fresh.QuerySelector("#code-error").ShouldBeNull();
        fresh.QuerySelector("#code")!.GetAttribute("aria-invalid").ShouldBe("false");
    }

    [Fact]
    public async Task TheChartDrawsAndLabelsTheGoalWhenTheTotalIsNearIt()
    {
        var admin = site.Api.Client(await site.Api.CreateKeyAsync("admin"));
        var checkout = site.Api.Client(await site.Api.CreateKeyAsync("checkout"));
        await (await admin.PostJson("/api/charities", Seed.Charity())).Content.ReadAsStringAsync();
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "chart-goal", goal: 1_000))).Expect(HttpStatusCode.Created);
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("CG-1", campaign: "chart-goal"), "cg-1")).Expect(HttpStatusCode.Created);
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("CG-2", campaign: "chart-goal"), "cg-2")).Expect(HttpStatusCode.Created);

        var (_, page) = await site.GetPageAsync("/campaigns/chart-goal");
        var chart = page.QuerySelector("svg.chart")!;
        chart.QuerySelector("text.goal-label")!.TextContent.ShouldBe("Goal $10.00");
        chart.QuerySelector("line.goal").ShouldNotBeNull();
        chart.QuerySelectorAll("text.y-label").Select(t => t.TextContent).Last().ShouldBe("$10.00"); // the scale reaches the goal
        // The goal is the top gridline, so its label sits under the line, inside the picture rather than cut off above it.
        double Attr(AngleSharp.Dom.IElement e, string name) => double.Parse(e.GetAttribute(name)!, System.Globalization.CultureInfo.InvariantCulture);
        var label = chart.QuerySelector("text.goal-label")!;
        Attr(label, "y").ShouldBeGreaterThan(Attr(chart.QuerySelector("line.goal")!, "y1"));
        Attr(label, "y").ShouldBeGreaterThanOrEqualTo(Attr(chart, "font-size"));
    }

    [Fact]
    public async Task ACampaignWithAnImpactUnitSaysItInThingsOnEveryPage()
    {
        var admin = site.Api.Client(await site.Api.CreateKeyAsync("admin"));
        var checkout = site.Api.Client(await site.Api.CreateKeyAsync("checkout"));
        await (await admin.PostJson("/api/charities", Seed.Charity())).Content.ReadAsStringAsync();
        var body = Seed.Campaign(slug: "page-units");
        body["impact"] = new { amount = 100, singular = "book", plural = "books" };
        await (await admin.PostJson("/api/campaigns", body)).Expect(HttpStatusCode.Created);
        var purchase = await (await checkout.PostJson("/api/purchases", Seed.Purchase("PU-1", campaign: "page-units"), "pu-1")).Expect(HttpStatusCode.Created);

        var (_, campaign) = await site.GetPageAsync("/campaigns/page-units");
        campaign.QuerySelector(".impact-units")!.TextContent.ShouldBe("3 books so far"); // $3.51 at $1.00 a book, rounded down
        var (_, home) = await site.GetPageAsync("/");
        home.QuerySelectorAll(".card").Single(c => c.QuerySelector("a")!.GetAttribute("href") == "/campaigns/page-units")
            .QuerySelector(".impact-units")!.TextContent.ShouldBe("3 books so far");
        var (_, receipt) = await site.GetPageAsync($"/impact/{purchase.Str("receiptCode")}");
        receipt.QuerySelector(".big")!.TextContent.ShouldContain("to Read Together: 3 books.");
    }

    [Fact]
    public async Task UnknownCampaignsCharitiesAndReceiptsAreFriendly404s()
    {
        foreach (var path in new[] { "/campaigns/nope", "/charities/nope", "/impact/AAAA-BBBB-CCCC", "/badge/nope.svg" })
        {
            var (response, page) = await site.GetPageAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
            if (!path.EndsWith(".svg")) page.QuerySelector("h1")!.TextContent.ShouldBe("We couldn't find that", path);
        }
    }

    [Fact]
    public async Task TheCharityPageListsItsCampaignsAndWhatEachRaised()
    {
        var (_, checkout) = await SetUpAsync("page-charity");
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("CH-1", campaign: "page-charity"), "ch-1")).Expect(HttpStatusCode.Created);
        var (response, page) = await site.GetPageAsync("/charities/read-together");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        page.QuerySelector("h1")!.TextContent.ShouldBe("Read Together");
        var row = page.QuerySelectorAll("tbody tr").Single(r => r.QuerySelector("a")!.GetAttribute("href") == "/campaigns/page-charity");
        row.QuerySelectorAll("td")[1].TextContent.ShouldBe("$3.51");
    }

    [Fact]
    public async Task TheBadgeIsValidSvgWithCachingHeadersAndAnswers304ToItsETag()
    {
        var (_, checkout) = await SetUpAsync("page-badge");
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("B-1", campaign: "page-badge"), "b-1")).Expect(HttpStatusCode.Created);
        var browser = site.Browser();
        var response = await browser.GetAsync("/badge/page-badge.svg");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("image/svg+xml");
        response.Headers.CacheControl!.Public.ShouldBeTrue();
        response.Headers.CacheControl.MaxAge.ShouldBe(TimeSpan.FromSeconds(60));
        response.Content.Headers.LastModified.ShouldNotBeNull();
        var etag = response.Headers.ETag!;

        var svg = XDocument.Parse(await response.Content.ReadAsStringAsync());
        XNamespace ns = "http://www.w3.org/2000/svg";
        svg.Root!.Name.ShouldBe(ns + "svg");
        svg.Root.Element(ns + "title")!.Value.ShouldBe("Reading for every child: $3.51 raised of $10,000.00");

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/badge/page-badge.svg");
        conditional.Headers.IfNoneMatch.Add(etag);
        (await browser.SendAsync(conditional)).StatusCode.ShouldBe(HttpStatusCode.NotModified);

        await (await checkout.PostJson("/api/purchases", Seed.Purchase("B-2", campaign: "page-badge"), "b-2")).Expect(HttpStatusCode.Created);
        using var afterChange = new HttpRequestMessage(HttpMethod.Get, "/badge/page-badge.svg");
        afterChange.Headers.IfNoneMatch.Add(etag);
        var changed = await browser.SendAsync(afterChange);
        changed.StatusCode.ShouldBe(HttpStatusCode.OK);
        changed.Headers.ETag!.Tag.ShouldNotBe(etag.Tag);
    }

    [Fact]
    public async Task ACachedPageKeepsItsETagAndTheCacheAnswersIfNoneMatch()
    {
        using var cached = new SiteFactory { CacheSeconds = 60 };
        var admin = cached.Api.Client(await cached.Api.CreateKeyAsync("admin"));
        await (await admin.PostJson("/api/charities", Seed.Charity())).Expect(HttpStatusCode.Created);
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "page-cached"))).Expect(HttpStatusCode.Created);
        var browser = cached.Browser();

        var first = await browser.GetAsync("/campaigns/page-cached");
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        var etag = first.Headers.ETag!;
        etag.IsWeak.ShouldBeTrue();
        var fromCache = await browser.GetAsync("/campaigns/page-cached");
        fromCache.Headers.Age.ShouldNotBeNull("the second request should be the cache's answer");
        fromCache.Headers.ETag.ShouldBe(etag);
        fromCache.Headers.CacheControl!.NoCache.ShouldBeTrue();
        (await fromCache.Content.ReadAsStringAsync()).ShouldBe(await first.Content.ReadAsStringAsync());

        using var again = new HttpRequestMessage(HttpMethod.Get, "/campaigns/page-cached");
        again.Headers.IfNoneMatch.Add(etag);
        var unchanged = await browser.SendAsync(again);
        unchanged.StatusCode.ShouldBe(HttpStatusCode.NotModified);
        unchanged.Headers.ETag.ShouldBe(etag);
        (await unchanged.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();

        using var stale = new HttpRequestMessage(HttpMethod.Get, "/campaigns/page-cached");
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"0000\"", isWeak: true));
        (await browser.SendAsync(stale)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task PagesCarryAnETagAndAnswer304WhileTheirFiguresAreUnchanged()
    {
        var (_, checkout) = await SetUpAsync("page-etag");
        var browser = site.Browser();
        var first = await browser.GetAsync("/campaigns/page-etag");
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        var etag = first.Headers.ETag!;
        etag.IsWeak.ShouldBeTrue();

        using var again = new HttpRequestMessage(HttpMethod.Get, "/campaigns/page-etag");
        again.Headers.IfNoneMatch.Add(etag);
        var unchanged = await browser.SendAsync(again);
        unchanged.StatusCode.ShouldBe(HttpStatusCode.NotModified);
        (await unchanged.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();

        await (await checkout.PostJson("/api/purchases", Seed.Purchase("ET-1", campaign: "page-etag"), "et-1")).Expect(HttpStatusCode.Created);
        using var afterPurchase = new HttpRequestMessage(HttpMethod.Get, "/campaigns/page-etag");
        afterPurchase.Headers.IfNoneMatch.Add(etag);
        (await browser.SendAsync(afterPurchase)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
