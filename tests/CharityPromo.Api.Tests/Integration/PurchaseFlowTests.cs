using System.Net;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Tests.Integration;

public class PurchaseFlowTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    private async Task<(HttpClient Admin, HttpClient Checkout)> SetUpAsync(object? match = null, string slug = "literacy-2026")
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, match, slug);
        return (admin, checkout);
    }

    [Fact]
    public async Task TheContractExampleRecordsAConfirmedPurchaseAndRaisesTheTotals()
    {
        var (admin, checkout) = await SetUpAsync(slug: "contract-example");
        var quote = await (await checkout.PostJson("/api/pledges/quote", new
        {
            campaign = "contract-example", charity = "read-together", currency = "usd", amount = 4999, roundUp = true, addOn = 100, customerRef = "c-123",
        })).Expect(HttpStatusCode.OK);
        quote.ToJsonString().ShouldBe("""{"currency":"usd","merchantPledge":250,"match":0,"roundUp":1,"addOn":100,"total":351,"merchantCapLeft":null}""");

        var response = await checkout.PostJson("/api/purchases", Seed.Purchase("ORD-1001", campaign: "contract-example"), "key-1");
        var purchase = await response.Expect(HttpStatusCode.Created);
        response.Headers.Location!.ToString().ShouldBe($"/api/purchases/{purchase.Str("id")}");
        purchase.Str("status").ShouldBe("confirmed");
        purchase.Str("orderId").ShouldBe("ORD-1001");
        purchase.Str("receiptCode").ShouldMatch("^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$");
        purchase["donation"]!.ToJsonString().ShouldBe(quote.ToJsonString().Replace(""","merchantCapLeft":null""", ""));
        purchase.Str("payment.method").ShouldBe("external");
        purchase.Str("payment.status").ShouldBe("succeeded");
        purchase.Long("payment.amount").ShouldBe(5100);

        var campaign = await (await app.Client().GetAsync("/api/campaigns/contract-example")).Expect(HttpStatusCode.OK);
        campaign.Long("totals.raised").ShouldBe(351);
        campaign.Long("totals.pending").ShouldBe(0);
        campaign.Long("totals.purchases").ShouldBe(1);
        campaign["totals"]!["byCharity"]![0]!.Str("charity").ShouldBe("read-together");
        campaign["totals"]!["byCharity"]![0]!.Long("raised").ShouldBe(351);
        campaign["totals"]!["daily"]![0]!.Str("date").ShouldBe("2026-06-01");
        campaign["totals"]!["daily"]![0]!.Long("cumulative").ShouldBe(351);

        var receipt = await (await app.Client().GetAsync($"/api/receipts/{purchase.Str("receiptCode").ToLowerInvariant()}")).Expect(HttpStatusCode.OK);
        receipt.Long("donation.total").ShouldBe(351);
        receipt.Str("charity.slug").ShouldBe("read-together");
        receipt.Long("campaign.raised").ShouldBe(351);
        receipt.Long("campaign.goal").ShouldBe(1_000_000);
        receipt.ToJsonString().ShouldNotContain("c-123");
        receipt.ToJsonString().ShouldNotContain("ORD-1001");

        var invariants = await (await admin.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
        invariants["ok"]!.GetValue<bool>().ShouldBeTrue(invariants.ToJsonString());
    }

    [Fact]
    public async Task CustomerReferencesAreStoredOnlyAsAnHmac()
    {
        var (_, checkout) = await SetUpAsync(slug: "privacy");
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("P-1", campaign: "privacy", customerRef: "alice@example.com"), "p1")).Expect(HttpStatusCode.Created);
        var hash = await app.WithDbAsync(db => db.Purchases.Where(p => p.OrderId == "P-1").Select(p => p.CustomerHash).SingleAsync());
        hash.ShouldNotBeNull();
        hash.ShouldMatch("^[0-9a-f]{64}$");
        (await app.DatabaseBytesAsync()).AsSpan().IndexOf("alice@example.com"u8).ShouldBe(-1);
    }

    [Fact]
    public async Task AnOrderIdCanBeUsedOncePerClient()
    {
        var (_, checkout) = await SetUpAsync(slug: "orders");
        var other = app.Client(await app.CreateKeyAsync("checkout"));
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("SAME", campaign: "orders"), "a")).Expect(HttpStatusCode.Created);
        (await (await checkout.PostJson("/api/purchases", Seed.Purchase("SAME", campaign: "orders"), "b")).ExpectProblem(HttpStatusCode.Conflict, "orderId"))
            .Str("detail").ShouldBe("Order 'SAME' was already recorded by this API client.");
        await (await other.PostJson("/api/purchases", Seed.Purchase("SAME", campaign: "orders"), "a")).Expect(HttpStatusCode.Created);

        var mine = await (await checkout.GetAsync("/api/purchases?orderId=SAME")).Expect(HttpStatusCode.OK);
        mine.AsArray().Count.ShouldBe(1);
        var finance = app.Client(await app.CreateKeyAsync("finance"));
        (await (await finance.GetAsync("/api/purchases?orderId=SAME")).Expect(HttpStatusCode.OK)).AsArray().Count.ShouldBe(2);

        var id = mine[0]!.Str("id");
        await (await checkout.GetAsync($"/api/purchases/{id}")).Expect(HttpStatusCode.OK);
        await (await other.GetAsync($"/api/purchases/{id}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PurchasesOutsideTheWindowOrInAnotherCurrencyAreRefused()
    {
        var (admin, checkout) = await SetUpAsync(slug: "window");
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "later", starts: "2026-09-01T00:00:00Z"))).Expect(HttpStatusCode.Created);
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "over", starts: "2026-01-01T00:00:00Z", ends: "2026-05-01T00:00:00Z"))).Expect(HttpStatusCode.Created);

        // Each refusal names the field and says what would be accepted.
        (await (await checkout.PostJson("/api/purchases", Seed.Purchase("W1", campaign: "later"), "w1")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "campaign"))
            .Str("detail").ShouldBe("Campaign 'later' starts at 2026-09-01T00:00:00Z.");
        (await (await checkout.PostJson("/api/purchases", Seed.Purchase("W2", campaign: "over"), "w2")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "campaign"))
            .Str("detail").ShouldBe("Campaign 'over' ended at 2026-05-01T00:00:00Z.");
        (await (await checkout.PostJson("/api/purchases", Seed.Purchase("W3", campaign: "window", currency: "eur"), "w3")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "currency"))
            .Str("detail").ShouldBe("Campaign 'window' is in 'usd', not 'eur'.");
        (await (await checkout.PostJson("/api/purchases", Seed.Purchase("W4", campaign: "nope"), "w4")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "campaign"))
            .Str("detail").ShouldBe("No campaign 'nope'.");
        (await (await checkout.PostJson("/api/purchases", Seed.Purchase("W5", campaign: "window", charity: "someone-else"), "w5")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "charity"))
            .Str("detail").ShouldBe("Campaign 'window' does not support charity 'someone-else'.");

        app.Clock.Set(new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero));
        try
        {
            await (await checkout.PostJson("/api/purchases", Seed.Purchase("W1", campaign: "later"), "w1-again")).Expect(HttpStatusCode.Created);
        }
        finally
        {
            app.Clock.Set(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
        }
    }

    [Fact]
    public async Task TheCharityMayBeLeftOutWhenTheCampaignHasOnlyOne()
    {
        var (admin, checkout) = await SetUpAsync(slug: "single");
        var purchase = await (await checkout.PostJson("/api/purchases", Seed.Purchase("S1", campaign: "single", charity: null), "s1")).Expect(HttpStatusCode.Created);
        purchase.Str("charity").ShouldBe("read-together");

        await admin.ConsentingCharityAsync("second-shelf", "Second Shelf");
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "two-causes", charities: ["read-together", "second-shelf"]))).Expect(HttpStatusCode.Created);
        (await (await checkout.PostJson("/api/purchases", Seed.Purchase("S2", campaign: "two-causes", charity: null), "s2")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "charity"))
            .Str("detail").ShouldBe("Campaign 'two-causes' supports several charities: name one.");
        (await (await checkout.PostJson("/api/purchases", Seed.Purchase("S3", campaign: "two-causes", charity: "second-shelf"), "s3")).Expect(HttpStatusCode.Created))
            .Str("charity").ShouldBe("second-shelf");
    }

    [Fact]
    public async Task AddOnsAreRefusedWhereTheCampaignDoesNotTakeThem()
    {
        var (admin, checkout) = await SetUpAsync(slug: "addons");
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "no-addons", addOn: false, roundUp: false))).Expect(HttpStatusCode.Created);
        (await (await checkout.PostJson("/api/purchases", Seed.Purchase("A1", campaign: "no-addons", addOn: 100), "a1")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "addOn"))
            .Str("detail").ShouldBe("Campaign 'no-addons' does not take shopper add-ons.");
        var ok = await (await checkout.PostJson("/api/purchases", Seed.Purchase("A2", campaign: "no-addons", addOn: 0, roundUp: true), "a2")).Expect(HttpStatusCode.Created);
        ok.Long("donation.roundUp").ShouldBe(0);
        ok.Long("donation.total").ShouldBe(250);
    }

    [Fact]
    public async Task LoyalCustomersAreMatchedUntilTheBudgetRunsOut()
    {
        var (admin, checkout) = await SetUpAsync(new { minPriorPurchases = 2, percentBps = 10000, budget = 500 }, slug: "loyalty");
        long Match(System.Text.Json.Nodes.JsonNode p) => p.Long("donation.match");

        var first = await (await checkout.PostJson("/api/purchases", Seed.Purchase("L1", campaign: "loyalty", customerRef: "loyal"), "l1")).Expect(HttpStatusCode.Created);
        var second = await (await checkout.PostJson("/api/purchases", Seed.Purchase("L2", campaign: "loyalty", customerRef: "loyal"), "l2")).Expect(HttpStatusCode.Created);
        Match(first).ShouldBe(0);
        Match(second).ShouldBe(0);

        var third = await (await checkout.PostJson("/api/purchases", Seed.Purchase("L3", campaign: "loyalty", customerRef: "loyal"), "l3")).Expect(HttpStatusCode.Created);
        Match(third).ShouldBe(351);
        var fourth = await (await checkout.PostJson("/api/purchases", Seed.Purchase("L4", campaign: "loyalty", customerRef: " loyal "), "l4")).Expect(HttpStatusCode.Created);
        Match(fourth).ShouldBe(149); // what is left of the 500 budget
        var fifth = await (await checkout.PostJson("/api/purchases", Seed.Purchase("L5", campaign: "loyalty", customerRef: "loyal"), "l5")).Expect(HttpStatusCode.Created);
        Match(fifth).ShouldBe(0);

        var stranger = await (await checkout.PostJson("/api/purchases", Seed.Purchase("L6", campaign: "loyalty", customerRef: "new"), "l6")).Expect(HttpStatusCode.Created);
        Match(stranger).ShouldBe(0);

        var campaign = await (await app.Client().GetAsync("/api/campaigns/loyalty")).Expect(HttpStatusCode.OK);
        campaign.Long("match.used").ShouldBe(500);
        campaign.Long("match.remaining").ShouldBe(0);
        campaign.Long("totals.raised").ShouldBe(6 * 351 + 500);
        (await (await admin.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK))["ok"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task ShoppersWithoutAReferenceAreNeverCountedAsOneLoyalCustomer()
    {
        var (_, checkout) = await SetUpAsync(new { minPriorPurchases = 2, percentBps = 10000, budget = 100_000 }, slug: "anonymous");
        var refs = new[] { null, "", "   ", null, "", "   " };
        for (var i = 0; i < refs.Length; i++)
        {
            var purchase = await (await checkout.PostJson("/api/purchases", Seed.Purchase($"ANON-{i}", campaign: "anonymous", customerRef: refs[i]), $"anon-{i}"))
                .Expect(HttpStatusCode.Created);
            purchase.Long("donation.match").ShouldBe(0, $"purchase {i} has no shopper behind it to be loyal");
        }
        (await app.WithDbAsync(db => db.Purchases.CountAsync(p => p.OrderId.StartsWith("ANON-") && p.CustomerHash != null))).ShouldBe(0);
    }

    [Fact]
    public async Task LoyaltyCountsPaidPurchasesNotFullyRefundedAndIsMetAtExactlyTheMinimum()
    {
        var (admin, checkout) = await SetUpAsync(new { minPriorPurchases = 3, percentBps = 10000, budget = 100_000 }, slug: "regulars");
        async Task<System.Text.Json.Nodes.JsonNode> BuyAsync(string order) => await (await checkout.PostJson("/api/purchases",
            Seed.Purchase(order, campaign: "regulars", customerRef: "regular"), order)).Expect(HttpStatusCode.Created);
        async Task<long> QuotedMatchAsync() => (await (await checkout.PostJson("/api/pledges/quote", new
        {
            campaign = "regulars", charity = "read-together", currency = "usd", amount = 4999, roundUp = true, addOn = 100, customerRef = "regular",
        })).Expect(HttpStatusCode.OK)).Long("match");

        var first = await BuyAsync("R-1");
        var second = await BuyAsync("R-2");
        (await QuotedMatchAsync()).ShouldBe(0); // two before
        (await BuyAsync("R-3")).Long("donation.match").ShouldBe(0);
        (await QuotedMatchAsync()).ShouldBe(351); // three before: exactly the minimum

        // A fully refunded purchase stops counting; a partly refunded one still counts.
        await (await checkout.PostJson($"/api/purchases/{second.Str("id")}/refunds", new { }, "r-2-refund")).Expect(HttpStatusCode.Created);
        await (await checkout.PostJson($"/api/purchases/{first.Str("id")}/refunds", new { amount = 1000 }, "r-1-refund")).Expect(HttpStatusCode.Created);
        (await QuotedMatchAsync()).ShouldBe(0);
        (await BuyAsync("R-4")).Long("donation.match").ShouldBe(0);
        (await BuyAsync("R-5")).Long("donation.match").ShouldBe(351);
        (await (await admin.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK))["ok"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task ConcurrentPurchasesOnOneCampaignKeepTheTotalsExact()
    {
        var (admin, _) = await SetUpAsync(new { minPriorPurchases = 0, percentBps = 5000, budget = 3000 }, slug: "busy");
        var clients = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ => app.Client(await app.CreateKeyAsync("checkout"))));
        var amounts = Enumerable.Range(0, 120).Select(i => 1000L + i * 37).ToArray();

        var responses = await Task.WhenAll(amounts.Select((amount, i) =>
            clients[i % clients.Length].PostJson("/api/purchases", Seed.Purchase($"C-{i}", amount, campaign: "busy", customerRef: i % 3 == 0 ? null : $"cust-{i % 7}"), $"c-{i}")));
        var bodies = await Task.WhenAll(responses.Select(r => r.Expect(HttpStatusCode.Created)));

        var campaign = await (await app.Client().GetAsync("/api/campaigns/busy")).Expect(HttpStatusCode.OK);
        campaign.Long("totals.raised").ShouldBe(bodies.Sum(b => b.Long("donation.total")));
        campaign.Long("totals.purchases").ShouldBe(120);
        bodies.Sum(b => b.Long("donation.match")).ShouldBe(3000); // the budget, spent exactly, never exceeded
        campaign.Long("match.used").ShouldBe(3000);
        var invariants = await (await admin.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
        invariants["ok"]!.GetValue<bool>().ShouldBeTrue(invariants.ToJsonString());
        invariants.Long("ledgerEntries").ShouldBeGreaterThanOrEqualTo(240);
    }

    [Fact]
    public async Task WithoutStripeKeysAStripePurchaseIsRefusedClearlyAndNothingIsRecorded()
    {
        var (_, checkout) = await SetUpAsync(null, slug: "no-stripe");
        var body = Seed.Purchase("NS-1", campaign: "no-stripe", customerRef: null);
        body["payment"] = new { method = "stripe", paymentMethodId = "pm_card_visa", confirm = true };
        var problem = await (await checkout.PostJson("/api/purchases", body, "ns-1")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "payment.method");
        problem.Str("detail").ShouldContain("not configured");
        (await (await checkout.GetAsync("/api/purchases?orderId=NS-1")).Expect(HttpStatusCode.OK)).AsArray().ShouldBeEmpty();
    }
}
