using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using AngleSharp;
using AngleSharp.Dom;
using CharityPromo.Testing;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace CharityPromo.Site.Tests;

/// <summary>Where the money went: a charity's payments on its page and on its campaign's, and counts that read the same everywhere.</summary>
public class PaidCharityTests(PaidCharityFixture fx) : IClassFixture<PaidCharityFixture>
{
    private static string Usd(long minor) => (minor / 100m).ToString("C", CultureInfo.GetCultureInfo("en-US"));

    private long Paid => fx.BankBatch.Long("amount") + fx.TransferBatch.Long("amount");

    [Fact]
    public async Task TheCharityPageSaysWhatHasBeenPaidByBankAndByStripeAndWhatIsStillToCome()
    {
        var api = await (await fx.Site.Api.Client().GetAsync($"/api/charities/{PaidCharityFixture.Charity}/payments")).Expect(HttpStatusCode.OK);
        var usd = api["currencies"]!.AsArray().Single()!;
        usd.Long("paid").ShouldBe(Paid);

        var (response, page) = await fx.Site.GetPageAsync($"/charities/{PaidCharityFixture.Charity}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var section = page.QuerySelector("section.paid")!;
        section.QuerySelector("h2")!.TextContent.ShouldBe("What has reached Read Together");
        section.QuerySelector(".paid-summary .figures")!.TextContent.ShouldBe($"{Usd(Paid)} paid to Read Together");
        var meta = Squash(section.QuerySelector(".paid-summary .meta")!.TextContent);
        meta.ShouldBe($"2 payments, the last on {fx.TransferPaidUtc:d MMM yyyy} · {Usd(usd.Long("notYetPaid"))} raised and not yet paid");
        usd.Long("notYetPaid").ShouldBeGreaterThan(0);
        section.TextContent.ShouldContain("Each gift waits at least 7 days after the purchase is paid");

        var rows = section.QuerySelectorAll("table.payments tbody tr").Select(r => r.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray()).ToList();
        rows.ShouldBe([
            [fx.TransferPaidUtc.ToString("d MMM yyyy", CultureInfo.GetCultureInfo("en-US")), Usd(fx.TransferBatch.Long("amount")), "Stripe transfer"],
            [fx.BankPaidUtc.ToString("d MMM yyyy", CultureInfo.GetCultureInfo("en-US")), Usd(fx.BankBatch.Long("amount")), "Bank transfer"],
        ]);
        // Dates, amounts and how: never the bank reference or the transfer.
        var html = page.DocumentElement.OuterHtml;
        html.ShouldNotContain("BANK-77120");
        html.ShouldNotContain("tr_");
        // Counts read as the reader writes numbers, like the money beside them.
        page.QuerySelectorAll("table")[^1].QuerySelector("tbody td.num:last-child")!.TextContent.ShouldBe((PaidCharityFixture.Purchases + 1).ToString("N0", CultureInfo.GetCultureInfo("en-US")));
    }

    [Fact]
    public async Task TheCampaignPageSaysHowMuchOfItsTotalHasBeenPaidAndLinksToTheCharity()
    {
        var (_, page) = await fx.Site.GetPageAsync($"/campaigns/{PaidCharityFixture.Campaign}");
        var paid = page.QuerySelector(".progress-block .paid-line a")!;
        paid.TextContent.ShouldBe($"{Usd(Paid)} of this has been paid to Read Together");
        paid.GetAttribute("href").ShouldBe($"/charities/{PaidCharityFixture.Charity}");
        page.QuerySelector("[data-live=purchases]")!.TextContent.ShouldBe($"{(PaidCharityFixture.Purchases + 1).ToString("N0", CultureInfo.GetCultureInfo("en-US"))} purchases");

        // The reader's own number style: a German reader's counts are grouped with dots, as their money is.
        using var german = fx.Site.Browser();
        german.DefaultRequestHeaders.AcceptLanguage.ParseAdd("de-DE");
        var html = await german.GetStringAsync($"/campaigns/{PaidCharityFixture.Campaign}");
        html.ShouldContain($"{(PaidCharityFixture.Purchases + 1).ToString("N0", CultureInfo.GetCultureInfo("de-DE"))} purchases");
    }

    /// <summary>A count printed without its group separator ("2125 purchases") is a run of four or more digits on its own.</summary>
    [Theory]
    [InlineData("en-US")]
    [InlineData("de-DE")]
    public async Task NoPageShowsABareRunOfFourOrMoreDigitsOutsideReceiptCodesAndDates(string culture)
    {
        using var client = fx.Site.Browser();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(culture);
        var queue = new Queue<string>(["/", $"/impact/{fx.ReceiptCode}", "/impact"]);
        var seen = new HashSet<string>(queue);
        var offenders = new List<string>();
        while (queue.TryDequeue(out var path))
        {
            var response = await client.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            var page = await BrowsingContext.New(Configuration.Default).OpenAsync(r => r.Content(response.Content.ReadAsStream()));
            foreach (var link in page.QuerySelectorAll("a[href^='/']").Select(a => a.GetAttribute("href")!.Split('#')[0]))
                if (link.Length > 0 && !link.StartsWith("/badge/", StringComparison.Ordinal) && seen.Add(link)) queue.Enqueue(link);
            offenders.AddRange(BareRuns(page).Select(run => $"{path}: {run}"));
        }
        seen.ShouldContain($"/charities/{PaidCharityFixture.Charity}");
        seen.ShouldContain($"/campaigns/{PaidCharityFixture.Campaign}");
        offenders.ShouldBeEmpty();

        var badge = await client.GetStringAsync($"/badge/{PaidCharityFixture.Campaign}.svg");
        Regex.Matches(WithoutWrittenDates(Regex.Replace(badge, "<[^>]+>", " ")), @"(?<![\d.,])\d{4,}(?![\d.,]*\d)").ShouldBeEmpty();
    }

    /// <summary>The page's words (not markup, scripts or the embed code to copy), less dates, receipt codes and registration numbers.</summary>
    private static IEnumerable<string> BareRuns(IDocument page)
    {
        foreach (var element in page.QuerySelectorAll("script, style, textarea, time, svg").ToList()) element.Remove();
        var text = Squash(page.Body!.TextContent);
        text = Regex.Replace(text, @"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b", " ", RegexOptions.IgnoreCase); // receipt codes
        text = Regex.Replace(text, @"https?://\S+", " "); // links shown as text (a receipt's own address)
        text = WithoutWrittenDates(text);
        text = Regex.Replace(text, @"Registered charity \S+", " ");
        return Regex.Matches(text, @"\d{4,}").Select(m => text.Substring(Math.Max(0, m.Index - 30), Math.Min(text.Length - Math.Max(0, m.Index - 30), m.Length + 60)));
    }

    /// <summary>Less dates written out in a sentence (the disclosure's "from 1 January 2026 to 31 December 2026"), not in a &lt;time&gt;.</summary>
    private static string WithoutWrittenDates(string text) =>
        Regex.Replace(text, @"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b", " ");

    private static string Squash(string text) => Regex.Replace(text, @"\s+", " ").Trim();

    [Theory]
    [InlineData(390)]
    [InlineData(1280)]
    public async Task TheCharityPageWithPaymentsFitsPhoneAndDesktopAndHasNoSeriousAccessibilityViolations(int width)
    {
        var page = await fx.NewPageAsync(width);
        var response = await page.GotoAsync($"/charities/{PaidCharityFixture.Charity}");
        response!.Status.ShouldBe(200);
        (await page.Locator("table.payments tbody tr").CountAsync()).ShouldBe(2);
        (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth")).ShouldBeFalse($"the charity page scrolls sideways at {width}px");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"charity-payments-{width}.png"), FullPage = true });

        var result = await page.RunAxe();
        result.Passes.Length.ShouldBeGreaterThan(10, "axe did not evaluate the page");
        result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}").ShouldBeEmpty();
    }
}
