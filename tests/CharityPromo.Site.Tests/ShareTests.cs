using System.Net;
using CharityPromo.Testing;
using Microsoft.Playwright;

namespace CharityPromo.Site.Tests;

/// <summary>Pages that travel: the card a shared link shows, the canonical URL, the favicon, and the share link.</summary>
public class ShareTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private SiteFactory Site => browser.Site;

    private async Task<string> SeedAsync(string slug)
    {
        var admin = Site.Api.Client(await Site.Api.CreateKeyAsync("admin"));
        var checkout = Site.Api.Client(await Site.Api.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, slug: slug);
        var purchase = await (await checkout.PostJson("/api/purchases", Seed.Purchase($"{slug}-1", campaign: slug), $"{slug}-1")).Expect(HttpStatusCode.Created);
        return purchase.Str("receiptCode");
    }

    private static string? Meta(AngleSharp.Dom.IDocument page, string name) =>
        (page.QuerySelector($"meta[property='{name}']") ?? page.QuerySelector($"meta[name='{name}']"))?.GetAttribute("content");

    [Fact]
    public async Task CampaignCharityAndReceiptPagesCarryACardWithTheirFiguresAndACanonicalUrl()
    {
        var code = await SeedAsync("share-tags");
        var origin = Site.Browser().BaseAddress!.ToString().TrimEnd('/');

        var (_, campaign) = await Site.GetPageAsync("/campaigns/share-tags?utm_source=chat");
        Meta(campaign, "og:title").ShouldBe("Reading for every child");
        Meta(campaign, "og:description").ShouldBe("$3.51 raised of $10,000.00 so far. 5% of every purchase, up to $5.00, goes to Read Together.");
        Meta(campaign, "og:url").ShouldBe($"{origin}/campaigns/share-tags"); // the query is not part of the page
        campaign.QuerySelector("link[rel=canonical]")!.GetAttribute("href").ShouldBe($"{origin}/campaigns/share-tags");
        Meta(campaign, "twitter:card").ShouldBe("summary_large_image");
        Meta(campaign, "twitter:description").ShouldBe(Meta(campaign, "og:description"));
        campaign.QuerySelector("a[data-share]")!.GetAttribute("href").ShouldBe($"{origin}/campaigns/share-tags");

        var (_, charity) = await Site.GetPageAsync("/charities/read-together");
        Meta(charity, "og:title").ShouldBe("Read Together");
        Meta(charity, "og:description")!.ShouldContain("$3.51 in Reading for every child");

        var (_, receipt) = await Site.GetPageAsync($"/impact/{code}");
        Meta(receipt, "og:description")!.ShouldStartWith("A purchase gave $3.51 to Read Together.");

        // The card's image is a PNG at an absolute URL (apps refuse SVG), and the favicon is there for browsers that ask.
        var image = Meta(campaign, "og:image")!;
        image.ShouldBe($"{origin}/share-card.png");
        var png = await Site.Browser().GetAsync(image);
        png.StatusCode.ShouldBe(HttpStatusCode.OK);
        png.Content.Headers.ContentType!.MediaType.ShouldBe("image/png");
        (await png.Content.ReadAsByteArrayAsync()).Take(8).ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        var icon = await Site.Browser().GetAsync("/favicon.ico");
        icon.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await icon.Content.ReadAsByteArrayAsync()).Take(4).ShouldBe(new byte[] { 0, 0, 1, 0 }); // an ICO header
    }

    [Fact]
    public async Task TheShareLinkCopiesThePageWhereThereIsNoShareSheetAndIsAPlainLinkWithoutScript()
    {
        await SeedAsync("share-click");
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Site.Browser().BaseAddress!.ToString(), ViewportSize = new ViewportSize { Width = 390, Height = 900 },
        });
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/campaigns/share-click");
        (await page.EvaluateAsync<bool>("() => typeof navigator.share === 'function'")).ShouldBeFalse(); // desktop Linux Chromium has none
        await page.GetByRole(AriaRole.Link, new() { Name = "Share this page" }).ClickAsync();
        await page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Link copied" }).WaitForAsync();
        (await page.EvaluateAsync<string>("() => navigator.clipboard.readText()")).ShouldEndWith("/campaigns/share-click");
        page.Url.ShouldEndWith("/campaigns/share-click"); // stayed on the page

        var noScript = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Site.Browser().BaseAddress!.ToString(), JavaScriptEnabled = false });
        var plain = await noScript.NewPageAsync();
        await plain.GotoAsync("/campaigns/share-click");
        (await plain.GetByRole(AriaRole.Link, new() { Name = "Share this page" }).GetAttributeAsync("href"))!.ShouldEndWith("/campaigns/share-click");
        await context.CloseAsync();
        await noScript.CloseAsync();
    }
}
