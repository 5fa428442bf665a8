extern alias site;
using AngleSharp;
using System.Net;
using CharityPromo.Testing;
using SecurityHeaders = site::CharityPromo.Site.SecurityHeaders;

namespace CharityPromo.Site.Tests;

/// <summary>The headers that keep an injected tag, a sniffed type or a forged Host header from doing harm.</summary>
public class SecurityHeaderTests(SiteFactory site) : IClassFixture<SiteFactory>
{
    private async Task<string> SeedAsync(string slug)
    {
        var admin = site.Api.Client(await site.Api.CreateKeyAsync("admin"));
        var checkout = site.Api.Client(await site.Api.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, slug: slug);
        var purchase = await (await checkout.PostJson("/api/purchases", Seed.Purchase($"{slug}-1", campaign: slug), $"{slug}-1")).Expect(HttpStatusCode.Created);
        return purchase.Str("receiptCode");
    }

    [Fact]
    public async Task EveryPageCarriesAPolicyWithoutInlineScriptNosniffAndAReferrerPolicy()
    {
        var code = await SeedAsync("headers");
        foreach (var path in new[] { "/", "/campaigns/headers", "/charities/read-together", "/impact", $"/impact/{code}", "/campaigns/nobody-here" })
        {
            var response = await site.Browser().GetAsync(path);
            var policy = response.Headers.GetValues("Content-Security-Policy").Single();
            policy.ShouldBe(SecurityHeaders.PagePolicy, path);
            policy.ShouldContain("script-src 'self';");
            policy.ShouldNotContain("unsafe-inline");
            response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff", path);
            response.Headers.GetValues("Referrer-Policy").Single().ShouldBe("strict-origin-when-cross-origin", path);
            // Served over plain http here: HSTS there would be ignored by browsers, so it is not sent.
            response.Headers.Contains("Strict-Transport-Security").ShouldBeFalse(path);
        }
    }

    [Fact]
    public async Task TheBadgeMayLoadAndRunNothing()
    {
        await SeedAsync("headers-badge");
        var badge = await site.Browser().GetAsync("/badge/headers-badge.svg");
        badge.StatusCode.ShouldBe(HttpStatusCode.OK);
        badge.Headers.GetValues("Content-Security-Policy").Single().ShouldBe("default-src 'none'");
        badge.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
    }

    [Fact]
    public async Task TheEmbedSnippetIsAttributeEncoded()
    {
        var admin = site.Api.Client(await site.Api.CreateKeyAsync("admin"));
        await Seed.ContractCampaignAsync(admin, slug: "quoted");
        var campaign = Seed.Campaign(slug: "quoted");
        campaign["name"] = "Books \"for\" <all>";
        await (await admin.PutJson("/api/campaigns/quoted", campaign)).Expect(HttpStatusCode.OK);

        var (_, page) = await site.GetPageAsync("/campaigns/quoted");
        var snippet = page.QuerySelector("#embed-code")!.TextContent;

        snippet.ShouldContain("alt=\"Books &quot;for&quot; &lt;all&gt;: donations so far\"");
        // Parsed as the merchant's page would parse it: one link, one image, the name intact in its alt text.
        var embedded = await BrowsingContext.New(Configuration.Default).OpenAsync(r => r.Content(snippet));
        embedded.QuerySelectorAll("a").Length.ShouldBe(1);
        embedded.QuerySelector("img")!.GetAttribute("alt").ShouldBe("Books \"for\" <all>: donations so far");
    }
}

/// <summary>With <c>Site__PublicBaseUrl</c> set, links carry that address and other Host headers are refused.</summary>
public sealed class PublicOriginTests : IDisposable
{
    private readonly SiteFactory _site = new() { PublicBaseUrl = "https://give.example.org" };

    [Fact]
    public async Task LinksThatTravelUseThePublicAddressWhateverTheHostHeaderSays()
    {
        var admin = _site.Api.Client(await _site.Api.CreateKeyAsync("admin"));
        await Seed.ContractCampaignAsync(admin, slug: "public-origin");

        var (response, page) = await _site.GetPageAsync("/campaigns/public-origin");
        response.StatusCode.ShouldBe(HttpStatusCode.OK); // 127.0.0.1 stays served, for checks on the machine
        page.QuerySelector("link[rel=canonical]")!.GetAttribute("href").ShouldBe("https://give.example.org/campaigns/public-origin");
        page.QuerySelector("meta[property='og:image']")!.GetAttribute("content").ShouldBe("https://give.example.org/share-card.png");
        page.QuerySelector("#embed-code")!.TextContent.ShouldContain("src=\"https://give.example.org/badge/public-origin.svg\"");

        using var forged = new HttpRequestMessage(HttpMethod.Get, "/campaigns/public-origin");
        forged.Headers.Host = "evil.example";
        (await _site.Browser().SendAsync(forged)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var own = new HttpRequestMessage(HttpMethod.Get, "/campaigns/public-origin");
        own.Headers.Host = "give.example.org";
        (await _site.Browser().SendAsync(own)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    public void Dispose() => _site.Dispose();
}

/// <summary>Chromium enforces the policy: every page and its scripts work under it with no violation reported.</summary>
public class ContentSecurityPolicyBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task NoPageBreaksItsOwnPolicy()
    {
        var api = browser.Site.Api;
        var admin = api.Client(await api.CreateKeyAsync("admin"));
        var checkout = api.Client(await api.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, slug: "csp");
        var code = (await (await checkout.PostJson("/api/purchases", Seed.Purchase("csp-1", campaign: "csp"), "csp-1")).Expect(HttpStatusCode.Created)).Str("receiptCode");
        var page = await browser.NewPageAsync(390);
        var violations = new List<string>();
        page.Console += (_, message) => { if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal)) violations.Add(message.Text); };

        foreach (var path in new[] { "/", "/campaigns/csp", "/charities/read-together", "/impact", $"/impact/{code}" })
        {
            var response = await page.GotoAsync(path);
            response!.Status.ShouldBe(200, path);
            (await response.HeaderValueAsync("content-security-policy")).ShouldBe(SecurityHeaders.PagePolicy);
        }
        // (BrowserTests' live-update tests show the campaign page's script working under the same policy.)
        violations.ShouldBeEmpty();
    }
}
