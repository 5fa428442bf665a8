using System.Net;
using System.Text.Json.Nodes;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration.Stripe;

/// <summary><c>GET /api/charities/{slug}/payments</c>: what a charity has been paid, by bank and by Stripe transfer, for anyone to read.</summary>
public class CharityPaymentsTests(StripeFixture fx) : IClassFixture<StripeFixture>, IAsyncLifetime
{
    private HttpClient _finance = null!;
    private int _orders;

    public async Task InitializeAsync() => _finance = fx.App.Client(await fx.App.CreateKeyAsync("finance"));

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<JsonNode> PaymentsAsync(string charity) =>
        await (await fx.App.Client().GetAsync($"/api/charities/{charity}/payments")).Expect(HttpStatusCode.OK);

    private async Task<List<JsonNode>> BuyAsync(string charity, string campaign, string currency, params long[] amounts)
    {
        var bought = new List<JsonNode>();
        foreach (var amount in amounts)
        {
            var order = $"{campaign}-{++_orders}";
            bought.Add(await (await fx.Checkout.PostJson("/api/purchases", Seed.Purchase(order, amount, campaign: campaign, charity: charity, currency: currency, customerRef: null), order))
                .Expect(HttpStatusCode.Created));
        }
        fx.App.Clock.Advance(TimeSpan.FromMinutes(1));
        return bought;
    }

    private async Task<JsonNode> BatchAsync(string charity, string currency) =>
        await (await _finance.PostJson("/api/remittances", new { charity, currency, cutoffUtc = fx.App.Clock.GetUtcNow() })).Expect(HttpStatusCode.Created);

    [Fact]
    public async Task ACharityPaidOnceByBankAndOnceByTransferSeesBothTheirTotalAndWhatIsStillToComeAndNothingElse()
    {
        const string charity = "paid-twice";
        await (await fx.Admin.PostJson("/api/charities", Seed.Charity(charity, "Paid Twice"))).Expect(HttpStatusCode.Created);
        await (await fx.Admin.PostJson("/api/campaigns", Seed.Campaign(slug: "paid-twice-usd", charities: [charity]))).Expect(HttpStatusCode.Created);
        await (await fx.Admin.PostJson("/api/campaigns", Seed.Campaign(slug: "paid-twice-jpy", currency: "jpy", charities: [charity], roundUp: false))).Expect(HttpStatusCode.Created);
        var link = await (await fx.Admin.PostJson($"/api/charities/{charity}/stripe/onboarding",
            new { returnUrl = "https://shop.example/done", refreshUrl = "https://shop.example/again", country = "US" })).Expect(HttpStatusCode.OK);
        using (var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false })) await browser.PostAsync(link.Str("url"), null);
        await fx.Stripe.Webhooks.DrainAsync();
        fx.Stripe.State.SetAvailable("usd", 1_000_000);

        // Nothing paid yet: what is raised is all still to come.
        var first = await BuyAsync(charity, "paid-twice-usd", "usd", 4999, 12_000);
        var yen = await BuyAsync(charity, "paid-twice-jpy", "jpy", 30_000);
        var before = await PaymentsAsync(charity);
        before.Str("charity.name").ShouldBe("Paid Twice");
        before["holdDays"]!.GetValue<int>().ShouldBe(0); // the test apps hold nothing (ApiFactory); RemittanceHoldTests reads the default
        before["payments"]!.AsArray().ShouldBeEmpty();
        var usdBefore = Currency(before, "usd");
        (usdBefore.Long("paid"), usdBefore.Long("payments"), usdBefore["lastPaidUtc"]).ShouldBe((0L, 0L, null));
        usdBefore.Long("raised").ShouldBe(first.Sum(p => p.Long("donation.total")));
        usdBefore.Long("notYetPaid").ShouldBe(usdBefore.Long("raised"));

        // A batch paid by bank, then more pledges and a batch paid by Stripe transfer, a third of which Stripe reverses.
        var bank = await BatchAsync(charity, "usd");
        await (await _finance.PostJson($"/api/remittances/{bank.Str("id")}/paid", new { reference = "BANK-REF-8841" })).Expect(HttpStatusCode.OK);
        var bankPaidUtc = fx.App.Clock.GetUtcNow();
        fx.App.Clock.Advance(TimeSpan.FromDays(3));
        var second = await BuyAsync(charity, "paid-twice-usd", "usd", 20_000, 7_500);
        var byTransfer = await BatchAsync(charity, "usd");
        var transferId = (await (await _finance.PostAsync($"/api/remittances/{byTransfer.Str("id")}/transfer", null)).Expect(HttpStatusCode.OK)).Str("transferId");
        var transferPaidUtc = fx.App.Clock.GetUtcNow();
        var reversed = byTransfer.Long("amount") / 3;
        fx.Stripe.State.ReverseTransfer(transferId, reversed);
        await fx.Stripe.Webhooks.DrainAsync();
        // A purchase still in the hold, not in any batch.
        var waiting = await BuyAsync(charity, "paid-twice-usd", "usd", 3_000);

        var after = await PaymentsAsync(charity);
        var usd = Currency(after, "usd");
        var paid = bank.Long("amount") + byTransfer.Long("amount") - reversed;
        var raised = first.Concat(second).Concat(waiting).Sum(p => p.Long("donation.total"));
        (usd.Long("paid"), usd.Long("payments"), usd.Long("currencyExponent")).ShouldBe((paid, 2L, 2L));
        DateTimeOffset.Parse(usd.Str("lastPaidUtc")).ShouldBe(transferPaidUtc);
        (usd.Long("raised"), usd.Long("notYetPaid")).ShouldBe((raised, raised - paid));
        // The campaign's totals carry the same raised figure, and what of it was paid to the charity.
        var campaign = await (await fx.App.Client().GetAsync("/api/campaigns/paid-twice-usd")).Expect(HttpStatusCode.OK);
        (campaign.Long("totals.raised"), campaign.Long("totals.remitted")).ShouldBe((raised, paid));
        campaign["totals"]!["byCharity"]!.AsArray().Single()!.Long("remitted").ShouldBe(paid);
        await fx.InvariantsHoldAsync();

        var jpy = Currency(after, "jpy");
        (jpy.Long("paid"), jpy.Long("payments"), jpy.Long("currencyExponent"), jpy["lastPaidUtc"]).ShouldBe((0L, 0L, 0L, null));
        jpy.Long("notYetPaid").ShouldBe(yen.Single().Long("donation.total"));

        var payments = after["payments"]!.AsArray().Select(p => p!).ToList();
        payments.Select(p => (p.Str("method"), p.Long("amount"), p.Str("currency"), DateTimeOffset.Parse(p.Str("paidUtc"))))
            .ShouldBe([("stripe_transfer", byTransfer.Long("amount") - reversed, "usd", transferPaidUtc), ("bank", bank.Long("amount"), "usd", bankPaidUtc)]);
        payments.ShouldAllBe(p => p.AsObject().Select(kv => kv.Key).Order().SequenceEqual(new[] { "amount", "currency", "currencyExponent", "method", "paidUtc" }));

        // Dates, amounts and counts only: no reference, transfer, batch, purchase, order or receipt.
        var text = after.ToJsonString();
        var secrets = new[] { "BANK-REF-8841", transferId, bank.Str("id"), byTransfer.Str("id") }
            .Concat(first.Concat(second).Concat(yen).SelectMany(p => new[] { p.Str("id"), p.Str("orderId"), p.Str("receiptCode") }));
        foreach (var secret in secrets) text.ShouldNotContain(secret);
    }

    [Fact]
    public async Task ACharityWithNoCampaignHasNothingYetAndAnUnknownOneIsA404Problem()
    {
        await (await fx.Admin.PostJson("/api/charities", Seed.Charity("not-yet", "Not Yet"))).Expect(HttpStatusCode.Created);
        var empty = await PaymentsAsync("not-yet");
        empty["currencies"]!.AsArray().ShouldBeEmpty();
        empty["payments"]!.AsArray().ShouldBeEmpty();

        var missing = await (await fx.App.Client().GetAsync("/api/charities/nobody-here/payments")).ExpectProblem(HttpStatusCode.NotFound);
        missing.Str("detail").ShouldBe("No charity 'nobody-here'.");
    }

    [Fact]
    public async Task TheAnswerIsCachedForAnonymousReadersAndAPaymentShowsAtOnceOnThisInstance()
    {
        const string charity = "cached-pay";
        await (await fx.Admin.PostJson("/api/charities", Seed.Charity(charity, "Cached Pay"))).Expect(HttpStatusCode.Created);
        await (await fx.Admin.PostJson("/api/campaigns", Seed.Campaign(slug: "cached-pay-usd", charities: [charity]))).Expect(HttpStatusCode.Created);
        await BuyAsync(charity, "cached-pay-usd", "usd", 4999);
        (await PaymentsAsync(charity))["payments"]!.AsArray().ShouldBeEmpty();
        var head = await fx.App.Client().SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/api/charities/{charity}/payments"));
        head.StatusCode.ShouldBe(HttpStatusCode.OK);

        var batch = await BatchAsync(charity, "usd");
        await (await _finance.PostJson($"/api/remittances/{batch.Str("id")}/paid", new { reference = "B-1" })).Expect(HttpStatusCode.OK);
        var after = await PaymentsAsync(charity);
        after["payments"]!.AsArray().Single()!.Str("method").ShouldBe("bank");
        Currency(after, "usd").Long("notYetPaid").ShouldBe(0);
    }

    private static JsonNode Currency(JsonNode answer, string code) => answer["currencies"]!.AsArray().Single(c => c!.Str("currency") == code)!;
}
