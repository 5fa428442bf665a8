using System.Net;
using System.Text.Json.Nodes;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

public class CampaignStatementTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    private static readonly string[] Figures = ["purchases", "sales", "merchantPledge", "shopperGifts", "match", "reversed", "raised", "remitted", "outstanding"];

    [Fact]
    public async Task TheClosingStatementAddsUpExactlyPerCharityAndInAllAndThePublicSeesRaisedAndRemitted()
    {
        var start = app.Clock.GetUtcNow();
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        var finance = app.Client(await app.CreateKeyAsync("finance"));
        await admin.ConsentingCharityAsync("stmt-a", "Statement A");
        await admin.ConsentingCharityAsync("stmt-b", "Statement B");
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "stmt", charities: ["stmt-a", "stmt-b"], ends: "2026-07-01T00:00:00Z",
            match: new { minPriorPurchases = 0, percentBps = 5_000, budget = 100_000 }))).Expect(HttpStatusCode.Created);

        async Task<JsonNode> Buy(string order, string charity, long amount, bool roundUp, long addOn) =>
            await (await checkout.PostJson("/api/purchases", Seed.Purchase(order, amount, "stmt", charity, roundUp: roundUp, addOn: addOn, customerRef: null), order))
                .Expect(HttpStatusCode.Created);
        await Buy("STMT-1", "stmt-a", 4999, true, 100);  // 250 + match 176 + round-up 1 + add-on 100 = 527
        var second = await Buy("STMT-2", "stmt-a", 10_000, false, 0); // 500 + match 250 = 750, refunded in full below
        await Buy("STMT-3", "stmt-b", 2000, true, 50);   // 100 + match 75 + add-on 50 = 225
        await (await checkout.PostJson($"/api/purchases/{second.Str("id")}/refunds", new { }, "stmt-refund")).Expect(HttpStatusCode.Created);
        app.Clock.Set(start.AddDays(1));
        var batch = await (await finance.PostJson("/api/remittances", new { charity = "stmt-a", currency = "usd", cutoffUtc = start.AddHours(1) })).Expect(HttpStatusCode.Created);
        batch.Long("amount").ShouldBe(527);
        await (await finance.PostJson($"/api/remittances/{batch.Str("id")}/paid", new { reference = "BANK-STMT" })).Expect(HttpStatusCode.OK);

        var s = await (await finance.GetAsync("/api/reports/campaigns/stmt/statement")).Expect(HttpStatusCode.OK);
        Figures.Select(f => s.Long(f)).ShouldBe([3L, 6999, 850, 151, 501, 750, 752, 527, 225]);
        (s.Str("period.fromUtc"), s.Str("period.toUtc"), s.Str("madeUtc")).ShouldBe(("2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z", "2026-06-02T12:00:00Z"));
        s.Str("disclosure").ShouldStartWith("The shop gives 5% of the purchase price, up to $5.00 a purchase, to Statement A or Statement B");
        var lines = s["charities"]!.AsArray().Select(l => l!).ToList();
        lines.Select(l => l.Str("charity")).ShouldBe(["stmt-a", "stmt-b"]);
        Figures.Select(f => lines[0].Long(f)).ShouldBe([2L, 4999, 750, 101, 426, 750, 527, 527, 0]);
        Figures.Select(f => lines[1].Long(f)).ShouldBe([1L, 2000, 100, 50, 75, 0, 225, 0, 225]);
        foreach (var figures in lines.Append(s))
        {
            figures.Long("raised").ShouldBe(figures.Long("merchantPledge") + figures.Long("shopperGifts") + figures.Long("match") - figures.Long("reversed"));
            (figures.Long("remitted") + figures.Long("outstanding")).ShouldBe(figures.Long("raised"));
        }
        foreach (var f in Figures) lines.Sum(l => l.Long(f)).ShouldBe(s.Long(f), f);
        var remittance = s["remittances"]!.AsArray().ShouldHaveSingleItem()!;
        (remittance.Str("charity"), remittance.Long("amount"), remittance.Str("paidUtc")).ShouldBe(("stmt-a", 527L, "2026-06-02T12:00:00Z"));

        var rows = (await (await finance.GetAsync("/api/reports/campaigns/stmt/statement?format=csv")).Content.ReadAsStringAsync())
            .TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(',')).ToList();
        rows[0][..14].ShouldBe(["campaign", "charity", "currency", "fromUtc", "toUtc", "purchases", "sales", "merchantPledge", "shopperGifts", "match", "reversed", "raised", "remitted", "outstanding"]);
        rows.Skip(1).Select(r => r[1]).ShouldBe(["stmt-a", "stmt-b", "all"]);
        rows[3][5..14].ShouldBe(["3", "6999", "850", "151", "501", "750", "752", "527", "225"]);

        // The public sees what each charity raised and was paid, with the dates; the campaign ended, so it is final.
        var running = await (await app.Client().GetAsync("/api/campaigns/stmt/accounting?while=running")).Expect(HttpStatusCode.OK);
        running["ended"]!.GetValue<bool>().ShouldBeFalse(); // (another URL than the one below: public answers are cached a second)
        app.Clock.Set(new DateTimeOffset(2026, 7, 2, 0, 0, 0, TimeSpan.Zero));
        var final = await (await app.Client().GetAsync("/api/campaigns/stmt/accounting")).Expect(HttpStatusCode.OK);
        final["ended"]!.GetValue<bool>().ShouldBeTrue();
        (final.Long("raised"), final.Long("remitted"), final.Long("outstanding")).ShouldBe((752L, 527L, 225L));
        final["charities"]!.AsArray().Select(c => (c!.Str("charity"), c!.Long("raised"), c!.Long("remitted"))).ShouldBe([("stmt-a", 527L, 527L), ("stmt-b", 225L, 0L)]);
        final["remittances"]![0]!.Str("paidUtc").ShouldBe("2026-06-02T12:00:00Z");
        final.ToJsonString().ShouldNotContain("sales");
        app.Clock.Set(start);
    }

    [Fact]
    public async Task AStatementNeedsAFinanceKeyAKnownCampaignAndAKnownFormat()
    {
        var finance = app.Client(await app.CreateKeyAsync("finance"));
        await (await finance.GetAsync("/api/reports/campaigns/no-such-campaign/statement")).ExpectProblem(HttpStatusCode.NotFound);
        await (await finance.GetAsync("/api/reports/campaigns/no-such-campaign/statement?format=xml")).ExpectProblem(HttpStatusCode.BadRequest, "format");
        (await app.Client(await app.CreateKeyAsync("checkout")).GetAsync("/api/reports/campaigns/stmt/statement")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await (await app.Client().GetAsync("/api/campaigns/no-such-campaign/accounting")).ExpectProblem(HttpStatusCode.NotFound);
    }
}
