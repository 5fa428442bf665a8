using System.Net;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

public class CustomerStatementTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task AShoppersYearSaysWhatEachPurchaseGavePartByPartWithTotalsPerCurrency()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, slug: "year-usd");
        await Seed.ContractCampaignAsync(admin, slug: "year-eur", currency: "eur");
        var first = await (await checkout.PostJson("/api/purchases", Seed.Purchase("Y-1", campaign: "year-usd", customerRef: "shopper-9"), "y-1")).Expect(HttpStatusCode.Created);
        var second = await (await checkout.PostJson("/api/purchases", Seed.Purchase("Y-2", 2000, campaign: "year-usd", roundUp: false, addOn: 0, customerRef: "shopper-9"), "y-2"))
            .Expect(HttpStatusCode.Created);
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("Y-3", 1000, campaign: "year-eur", currency: "eur", roundUp: false, addOn: 20, customerRef: "shopper-9"), "y-3"))
            .Expect(HttpStatusCode.Created);
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("Y-OTHER", campaign: "year-usd", customerRef: "someone-else"), "y-other")).Expect(HttpStatusCode.Created);
        await (await checkout.PostJson($"/api/purchases/{second.Str("id")}/refunds", new { }, "y-2-refund")).Expect(HttpStatusCode.Created);

        var statement = await (await checkout.PostJson("/api/customers/statement", new { customerRef = "shopper-9", year = 2026 })).Expect(HttpStatusCode.OK);
        (statement.Long("year"), statement.Str("shop")).ShouldBe((2026L, "The shop"));
        var purchases = statement["purchases"]!.AsArray().Select(p => p!).ToList();
        purchases.Select(p => p.Str("receiptCode")).ShouldBe([first.Str("receiptCode"), second.Str("receiptCode"), purchases[2].Str("receiptCode")]);
        purchases[0].ToJsonString().ShouldBe($$"""
            {"receiptCode":"{{first.Str("receiptCode")}}","dateUtc":"2026-06-01T12:00:00Z","campaign":"year-usd","charity":"read-together","charityName":"Read Together","currency":"usd","merchantPledge":250,"match":0,"roundUp":1,"addOn":100,"reversed":0,"net":351}
            """);
        (purchases[1].Long("reversed"), purchases[1].Long("net")).ShouldBe((100L, 0L));
        statement["totals"]!.ToJsonString().ShouldBe("""
            [{"currency":"eur","merchantPledge":50,"match":0,"roundUp":0,"addOn":20,"reversed":0,"net":70},{"currency":"usd","merchantPledge":350,"match":0,"roundUp":1,"addOn":100,"reversed":100,"net":351}]
            """);

        var admins = await (await admin.PostJson("/api/customers/statement", new { customerRef = "shopper-9", year = 2026 })).Expect(HttpStatusCode.OK);
        admins["purchases"]!.AsArray().Count.ShouldBe(3);
        var otherYear = await (await checkout.PostJson("/api/customers/statement", new { customerRef = "shopper-9", year = 2025 })).Expect(HttpStatusCode.OK);
        (otherYear["purchases"]!.AsArray().Count, otherYear["totals"]!.AsArray().Count).ShouldBe((0, 0));
    }

    [Theory]
    [InlineData("""{"customerRef":"c-1","year":1999}""", "year")]
    [InlineData("""{"customerRef":"c-1","year":2101}""", "year")]
    [InlineData("""{"customerRef":"","year":2026}""", "customerRef")]
    [InlineData("""{"year":2026}""", "customerRef")]
    public async Task BadStatementRequestsAreRefusedNamingTheField(string body, string field) =>
        await (await app.Client(await app.CreateKeyAsync("checkout")).PostJson("/api/customers/statement", body)).ExpectProblem(HttpStatusCode.BadRequest, field);

    [Fact]
    public async Task OnlyCheckoutAndAdminKeysReadStatements()
    {
        (await app.Client(await app.CreateKeyAsync("finance")).PostJson("/api/customers/statement", new { customerRef = "c-1", year = 2026 }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.Client().PostJson("/api/customers/statement", new { customerRef = "c-1", year = 2026 })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
