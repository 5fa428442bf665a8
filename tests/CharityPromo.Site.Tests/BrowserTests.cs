using System.Net;
using CharityPromo.Testing;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace CharityPromo.Site.Tests;

public class BrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private ApiFactory Api => browser.Site.Api;

    private async Task<(HttpClient Checkout, string ReceiptCode)> SeedAsync(string slug)
    {
        var admin = Api.Client(await Api.CreateKeyAsync("admin"));
        var checkout = Api.Client(await Api.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, slug: slug);
        var purchase = await (await checkout.PostJson("/api/purchases", Seed.Purchase($"{slug}-1", campaign: slug), $"{slug}-1")).Expect(HttpStatusCode.Created);
        return (checkout, purchase.Str("receiptCode"));
    }

    [Theory]
    [InlineData(390)]
    [InlineData(1280)]
    public async Task EveryPageFitsPhoneAndDesktopWidths(int width)
    {
        var (_, code) = await SeedAsync($"fit-{width}");
        var page = await browser.NewPageAsync(width);
        var pages = new[]
        {
            ("/", "home"), ($"/campaigns/fit-{width}", "campaign"), ("/charities/read-together", "charity"), ("/impact", "lookup"),
            ($"/impact/{code}", "receipt"),
        };
        foreach (var (path, name) in pages)
        {
            var response = await page.GotoAsync(path);
            response!.Status.ShouldBe(200, path);
            var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
            overflow.ShouldBeFalse($"{path} scrolls sideways at {width}px");
            (await page.Locator("h1").First.IsVisibleAsync()).ShouldBeTrue();
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"{name}-{width}.png"), FullPage = true });
        }
        await page.GotoAsync($"/campaigns/fit-{width}");
        (await page.Locator("[data-live=raised]").First.TextContentAsync()).ShouldBe("$3.51");
    }

    [Fact]
    public async Task TheCampaignPageShowsANewPurchaseWithoutAReloadPushedByServerSentEvents()
    {
        var (checkout, _) = await SeedAsync("live");
        var page = await browser.NewPageAsync(1024);
        var requests = new List<IRequest>();
        page.Request += (_, request) => requests.Add(request);
        await page.GotoAsync("/campaigns/live");
        (await page.Locator("[data-live=raised]").TextContentAsync()).ShouldBe("$3.51");
        await page.EvaluateAsync("() => { window.__notReloaded = true; }");

        await (await checkout.PostJson("/api/purchases", Seed.Purchase("live-2", campaign: "live"), "live-2")).Expect(HttpStatusCode.Created);

        await page.WaitForFunctionAsync("() => document.querySelector('[data-live=raised]').textContent === '$7.02'", null,
            new PageWaitForFunctionOptions { Timeout = 15_000 });
        (await page.Locator("[data-live=purchases]").TextContentAsync()).ShouldBe("2 purchases");
        (await page.EvaluateAsync<bool>("() => window.__notReloaded === true")).ShouldBeTrue();
        // It came down the page's one event stream, not by polling.
        requests.Where(r => r.Url.EndsWith("/campaigns/live/live")).Select(r => r.ResourceType).ShouldBe(["eventsource"]);
        requests.ShouldNotContain(r => r.Url.Contains("handler=live"));
    }

    [Fact]
    public async Task WithoutEventSourceTheCampaignPagePollsForTheFigures()
    {
        var (checkout, _) = await SeedAsync("live-poll");
        var page = await browser.NewPageAsync(1024);
        await page.AddInitScriptAsync("delete window.EventSource;");
        var polled = new List<string>();
        page.Request += (_, request) => { if (request.Url.Contains("handler=live")) polled.Add(request.Url); };
        await page.GotoAsync("/campaigns/live-poll");
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("live-poll-2", campaign: "live-poll"), "live-poll-2")).Expect(HttpStatusCode.Created);
        await page.WaitForFunctionAsync("() => document.querySelector('[data-live=raised]').textContent === '$7.02'", null,
            new PageWaitForFunctionOptions { Timeout = 15_000 });
        polled.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task TheEventStreamSendsTheFiguresAtOnceAndAnUnknownCampaignIsA404()
    {
        await SeedAsync("live-raw");
        using var client = browser.Site.Browser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/campaigns/live-raw/live");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!lines.Any(l => l.StartsWith("data: ")) && await reader.ReadLineAsync(timeout.Token) is { } line) lines.Add(line);
        lines[0].ShouldStartWith("retry: ");
        var figures = System.Text.Json.Nodes.JsonNode.Parse(lines.Single(l => l.StartsWith("data: "))["data: ".Length..])!;
        (figures["raised"]!.GetValue<string>(), figures["purchases"]!.GetValue<string>()).ShouldBe(("$3.51", "1 purchase"));

        (await client.GetAsync("/campaigns/nobody-here/live")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AShopperFindsTheirImpactWithTheLookupForm()
    {
        var (_, code) = await SeedAsync("lookup");
        var page = await browser.NewPageAsync(390);
        await page.GotoAsync("/impact");
        await page.GetByLabel("Receipt code").FillAsync(code.ToLowerInvariant().Replace("-", " "));
        await page.GetByRole(AriaRole.Button, new() { Name = "Show my impact" }).ClickAsync();
        // The address first, then the text (which waits for the element): the load event, which also waits for every
        // subresource, is not what this test is about, and on a loaded machine it was what timed out.
        await page.WaitForURLAsync($"**/impact/*", new() { WaitUntil = WaitUntilState.Commit });
        await Assertions.Expect(page.Locator(".big")).ToContainTextAsync("gave $3.51 to Read Together");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "impact-390.png"), FullPage = true });
    }

    [Fact]
    public async Task AMistypedCodeComesBackWithTheReasonAnnouncedBesideTheField()
    {
        var page = await browser.NewPageAsync(390);
        await page.GotoAsync("/impact");
        await page.GetByLabel("Receipt code").FillAsync("ABCD-1234");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show my impact" }).ClickAsync();
        await page.WaitForURLAsync("**/impact?code=*");
        var alert = page.GetByRole(AriaRole.Alert);
        (await alert.TextContentAsync())!.ShouldContain("A receipt code has 12 letters and digits");
        var field = page.GetByLabel("Receipt code");
        (await field.GetAttributeAsync("aria-invalid")).ShouldBe("true");
        (await field.GetAttributeAsync("aria-describedby"))!.Split(' ').ShouldContain("code-error");
        (await field.InputValueAsync()).ShouldBe("ABCD-1234");
        var result = await page.RunAxe();
        result.Violations.Where(v => v.Impact is "serious" or "critical").ShouldBeEmpty();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "impact-error-390.png"), FullPage = true });
    }

    [Fact]
    public async Task EveryPageHasNoSeriousOrCriticalAccessibilityViolations()
    {
        var (_, code) = await SeedAsync("a11y");
        foreach (var width in new[] { 390, 1280 })
        {
            var page = await browser.NewPageAsync(width);
            foreach (var path in new[] { "/", "/campaigns/a11y", "/charities/read-together", "/impact", $"/impact/{code}", "/not-found" })
            {
                await page.GotoAsync(path);
                var result = await page.RunAxe();
                result.Passes.Length.ShouldBeGreaterThan(10, $"axe did not evaluate {path}"); // the check really ran
                var serious = result.Violations.Where(v => v.Impact is "serious" or "critical")
                    .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}").ToList();
                serious.ShouldBeEmpty($"{path} at {width}px");
            }
        }
    }
}
