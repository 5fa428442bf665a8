using System.Net;
using CharityPromo.Testing;

namespace CharityPromo.Site.Tests;

public class PaymentsApiDownTests : IDisposable
{
    private readonly SiteFactory _site = new();

    [Fact]
    public async Task WhenTheApiGoesDownTheCharityPageKeepsShowingThePaymentsItLastSawWithTheirTime()
    {
        var api = _site.Api;
        var admin = api.Client(await api.CreateKeyAsync("admin"));
        var checkout = api.Client(await api.CreateKeyAsync("checkout"));
        var finance = api.Client(await api.CreateKeyAsync("finance"));
        await Seed.ContractCampaignAsync(admin);
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("DOWN-1", 100_000), "down-1")).Expect(HttpStatusCode.Created);
        api.Clock.Advance(TimeSpan.FromDays(8));
        var batch = await (await finance.PostJson("/api/remittances", new { charity = "read-together", currency = "usd", cutoffUtc = api.Clock.GetUtcNow().AddDays(-7) }))
            .Expect(HttpStatusCode.Created);
        await (await finance.PostJson($"/api/remittances/{batch.Str("id")}/paid", new { reference = "DOWN-REF" })).Expect(HttpStatusCode.OK);

        var (_, before) = await _site.GetPageAsync("/charities/read-together");
        before.QuerySelector("section.paid .figures")!.TextContent.ShouldBe("$6.00 paid to Read Together");
        before.QuerySelector("section.paid .notice").ShouldBeNull();

        api.Dispose(); // the API stops answering
        var (response, after) = await _site.GetPageAsync("/charities/read-together");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        after.QuerySelector("section.paid .figures")!.TextContent.ShouldBe("$6.00 paid to Read Together");
        after.QuerySelectorAll("section.paid table.payments tbody tr").Length.ShouldBe(1);
        after.QuerySelector("section.paid .notice")!.TextContent.ShouldContain("These are as of");
    }

    public void Dispose() => _site.Dispose();
}
