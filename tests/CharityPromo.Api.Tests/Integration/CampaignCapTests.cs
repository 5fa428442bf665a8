using System.Net;
using System.Text.Json.Nodes;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

public class CampaignCapTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    /// <summary>5% of the price, at most $5.00 a purchase and <paramref name="cap"/> in all; matched 1:1 for everyone.</summary>
    private async Task<(HttpClient Admin, HttpClient Checkout)> CappedCampaignAsync(string slug, long? cap)
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        await admin.ConsentingCharityAsync();
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: slug,
            pledge: new { percentBps = 500, capPerPurchase = 500, campaignCap = cap },
            match: new { minPriorPurchases = 0, percentBps = 10_000, budget = 1_000_000 }))).Expect(HttpStatusCode.Created);
        return (admin, checkout);
    }

    private async Task<long?> CapLeftAsync(string slug) =>
        (await (await app.Client().GetAsync($"/api/campaigns/{slug}")).Expect(HttpStatusCode.OK))["totals"]!["merchantCapLeft"]?.GetValue<long>();

    private static async Task<JsonNode> BuyAsync(HttpClient checkout, string slug, string order) =>
        await (await checkout.PostJson("/api/purchases", Seed.Purchase(order, campaign: slug, customerRef: null), order)).Expect(HttpStatusCode.Created);

    [Fact]
    public async Task PastTheCapTheShopsPledgeIsCutToWhatIsLeftDownToZeroAndNothingElseIs()
    {
        var (_, checkout) = await CappedCampaignAsync("capped", 600);
        (await CapLeftAsync("capped")).ShouldBe(600);
        var quote = await (await checkout.PostJson("/api/pledges/quote", new { campaign = "capped", currency = "usd", amount = 4999, roundUp = true, addOn = 100 }))
            .Expect(HttpStatusCode.OK);
        (quote.Long("merchantPledge"), quote.Long("merchantCapLeft")).ShouldBe((250L, 600L));

        // 5% of 49.99 is 2.50; round-up 0.01 and add-on 1.00 are the shopper's; the match is 1:1 on all three.
        (await BuyAsync(checkout, "capped", "CAP-1"))["donation"]!.ToJsonString()
            .ShouldBe("""{"currency":"usd","merchantPledge":250,"match":351,"roundUp":1,"addOn":100,"total":702}""");
        await BuyAsync(checkout, "capped", "CAP-2");
        (await CapLeftAsync("capped")).ShouldBe(100);
        (await BuyAsync(checkout, "capped", "CAP-3"))["donation"]!.ToJsonString()
            .ShouldBe("""{"currency":"usd","merchantPledge":100,"match":351,"roundUp":1,"addOn":100,"total":552}""");
        (await BuyAsync(checkout, "capped", "CAP-4"))["donation"]!.ToJsonString()
            .ShouldBe("""{"currency":"usd","merchantPledge":0,"match":351,"roundUp":1,"addOn":100,"total":452}""");
        (await CapLeftAsync("capped")).ShouldBe(0);
        (await (await checkout.PostJson("/api/pledges/quote", new { campaign = "capped", currency = "usd", amount = 4999, roundUp = false, addOn = 0 }))
            .Expect(HttpStatusCode.OK)).Long("merchantCapLeft").ShouldBe(0);
        await InvariantsHoldAsync();
    }

    [Fact]
    public async Task RefundsGiveTheirPledgeBackToTheCap()
    {
        var (_, checkout) = await CappedCampaignAsync("capped-refund", 500);
        var first = await BuyAsync(checkout, "capped-refund", "CR-1");
        await BuyAsync(checkout, "capped-refund", "CR-2");
        (await CapLeftAsync("capped-refund")).ShouldBe(0);

        // Half the payment back: half the pledge (125 of 250) back to the cap.
        await (await checkout.PostJson($"/api/purchases/{first.Str("id")}/refunds", new { amount = 2550 }, "cr-refund-1")).Expect(HttpStatusCode.Created);
        (await CapLeftAsync("capped-refund")).ShouldBe(125);
        await (await checkout.PostJson($"/api/purchases/{first.Str("id")}/refunds", new { }, "cr-refund-2")).Expect(HttpStatusCode.Created);
        (await CapLeftAsync("capped-refund")).ShouldBe(250);
        (await BuyAsync(checkout, "capped-refund", "CR-3")).Long("donation.merchantPledge").ShouldBe(250);
        (await CapLeftAsync("capped-refund")).ShouldBe(0);
        await InvariantsHoldAsync();
    }

    [Fact]
    public async Task ConcurrentPurchasesNeverSpendMoreThanTheCap()
    {
        var (_, checkout) = await CappedCampaignAsync("capped-race", 1_000);
        var pledges = new System.Collections.Concurrent.ConcurrentBag<long>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 40), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            pledges.Add((await BuyAsync(checkout, "capped-race", $"RACE-{i}")).Long("donation.merchantPledge")));
        pledges.Count.ShouldBe(40);
        pledges.Sum().ShouldBe(1_000); // 40 × 250 asked; exactly the cap given
        pledges.Count(p => p == 250).ShouldBe(4);
        (await CapLeftAsync("capped-race")).ShouldBe(0);
        await InvariantsHoldAsync();
    }

    [Fact]
    public async Task ACapSetOnARunningCampaignCountsWhatItsPurchasesAlreadyPledged()
    {
        var (admin, checkout) = await CappedCampaignAsync("capped-later", null);
        (await CapLeftAsync("capped-later")).ShouldBeNull();
        (await (await app.Client().GetAsync("/api/campaigns/capped-later")).Expect(HttpStatusCode.OK))["pledge"]!["campaignCap"].ShouldBeNull();
        await BuyAsync(checkout, "capped-later", "CL-1");
        var body = Seed.Campaign(slug: "capped-later", pledge: new { percentBps = 500, capPerPurchase = 500, campaignCap = 400 },
            match: new { minPriorPurchases = 0, percentBps = 10_000, budget = 1_000_000 });
        var updated = await (await admin.PutJson("/api/campaigns/capped-later", body)).Expect(HttpStatusCode.OK);
        (updated.Long("pledge.campaignCap"), updated.Long("totals.merchantCapLeft")).ShouldBe((400L, 150L));
        (await BuyAsync(checkout, "capped-later", "CL-2")).Long("donation.merchantPledge").ShouldBe(150);
        await InvariantsHoldAsync();
    }

    [Fact]
    public async Task ACapBelowZeroIsRefusedNamingTheField()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        await admin.ConsentingCharityAsync();
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "capped-bad", pledge: new { percentBps = 500, campaignCap = -1 })))
            .ExpectProblem(HttpStatusCode.BadRequest, "pledge.campaignCap");
    }

    private async Task InvariantsHoldAsync()
    {
        var invariants = await (await app.Client(await app.CreateKeyAsync("admin")).GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
        invariants["ok"]!.GetValue<bool>().ShouldBeTrue(invariants.ToJsonString());
    }
}
