using System.Net;
using System.Text.Json.Nodes;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>
/// The summary and liability reports on a small dataset whose every figure is known: a period's edges, lines in their
/// order, each column exact, and each age bucket's edges. The two tests share an app: each reads only its own charities,
/// except where a period leaves the other's out.
/// </summary>
public class SummaryReportTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    private static readonly DateTimeOffset March = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private async Task<JsonNode> BuyAsync(HttpClient checkout, string order, DateTimeOffset at, long amount, string campaign, string charity, string currency = "usd")
    {
        app.Clock.Set(at);
        return await (await checkout.PostJson("/api/purchases", Seed.Purchase(order, amount, campaign: campaign, charity: charity, currency: currency, customerRef: null), order))
            .Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task TheSummaryCountsAPeriodFromItsStartUpToItsEndAndEachLineIsExact()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        var finance = app.Client(await app.CreateKeyAsync("finance"));
        await admin.ConsentingCharityAsync("edge", "Edge");
        await admin.ConsentingCharityAsync("another-edge", "Another Edge");
        foreach (var (slug, currency) in new[] { ("edge-a", "usd"), ("edge-b", "usd"), ("edge-eur", "eur") })
            await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: slug, currency: currency, charities: slug == "edge-a" ? ["edge", "another-edge"] : ["edge"])))
                .Expect(HttpStatusCode.Created);

        var atStart = await BuyAsync(checkout, "EDGE-1", March, 2000, "edge-a", "edge");                   // 100 + 0 + 100 = 200
        var early = await BuyAsync(checkout, "EDGE-2", March.AddDays(4), 4000, "edge-a", "edge");          // 200 + 0 + 100 = 300
        var refunded = await BuyAsync(checkout, "EDGE-3", March.AddDays(14), 6000, "edge-b", "edge");      // 300 + 0 + 100 = 400
        var euro = await BuyAsync(checkout, "EDGE-4", March.AddDays(9), 5000, "edge-eur", "edge", "eur"); // 250 + 0 + 100 = 350
        var atEnd = await BuyAsync(checkout, "EDGE-5", March.AddMonths(1), 8000, "edge-a", "edge");        // 400 + 0 + 100 = 500, April
        var another = await BuyAsync(checkout, "EDGE-6", March.AddDays(2), 2000, "edge-a", "another-edge");  // 200, for the other charity
        new[] { atStart, early, refunded, euro, atEnd, another }.Select(p => p.Long("donation.total")).ShouldBe([200L, 300L, 400L, 350L, 500L, 200L]);

        app.Clock.Set(March.AddMonths(1).AddDays(9));
        var reversed = (await (await checkout.PostJson($"/api/purchases/{refunded.Str("id")}/refunds", new { amount = 3050 }, "edge-refund")).Expect(HttpStatusCode.Created))
            .Long("reversed.total");
        reversed.ShouldBe(200); // half of the 6,100 paid
        var batch = await (await finance.PostJson("/api/remittances", new { charity = "edge", currency = "usd", cutoffUtc = March.AddDays(20) })).Expect(HttpStatusCode.Created);
        batch.Long("amount").ShouldBe(200 + 300 + 200);
        await (await finance.PostJson($"/api/remittances/{batch.Str("id")}/paid", new { reference = "BACS-EDGE" })).Expect(HttpStatusCode.OK);

        static string Line(JsonNode l) => string.Join(' ', new[] { "charity", "campaign", "month", "currency" }.Where(k => l[k] is not null).Select(l.Str))
            + " " + string.Join(' ', new[] { "pledged", "reversed", "net", "remitted", "outstanding", "purchases" }.Select(l.Long));

        var march = await (await finance.GetAsync("/api/reports/summary?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z")).Expect(HttpStatusCode.OK);
        march["byCharityMonth"]!.AsArray().Select(l => Line(l!)).ShouldBe([
            "another-edge 2026-03 usd 200 0 200 0 200 1",
            "edge 2026-03 eur 350 0 350 0 350 1",
            "edge 2026-03 usd 900 200 700 700 0 3",
        ]);
        march["byCampaign"]!.AsArray().Select(l => Line(l!)).ShouldBe([
            "edge-a usd 700 0 700 500 200 3",
            "edge-b usd 400 200 200 200 0 1",
            "edge-eur eur 350 0 350 0 350 1",
        ]);

        var everything = await (await finance.GetAsync("/api/reports/summary")).Expect(HttpStatusCode.OK);
        everything["byCharityMonth"]!.AsArray().Where(l => l!.Str("charity") == "edge").Select(l => Line(l!)).ShouldBe([
            "edge 2026-03 eur 350 0 350 0 350 1",
            "edge 2026-03 usd 900 200 700 700 0 3",
            "edge 2026-04 usd 500 0 500 0 500 1",
        ]);
    }

    [Fact]
    public async Task TheLiabilityReportPutsEachPledgeInTheBucketOfItsAgeInDays()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        var finance = app.Client(await app.CreateKeyAsync("finance"));
        foreach (var charity in new[] { "aged", "aged-too" })
        {
            await admin.ConsentingCharityAsync(charity, charity);
            await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: $"{charity}-usd", charities: [charity]))).Expect(HttpStatusCode.Created);
        }
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "aged-too-eur", currency: "eur", charities: ["aged-too"]))).Expect(HttpStatusCode.Created);

        var now = new DateTimeOffset(2026, 10, 1, 9, 0, 0, TimeSpan.Zero);
        var totals = new Dictionary<int, long>();
        foreach (var (age, i) in new[] { 30, 31, 60, 61, 90, 91 }.Select((age, i) => (age, i)))
            totals[age] = (await BuyAsync(checkout, $"AGED-{age}", now.AddDays(-age).AddHours(10), 1000 * (i + 1), "aged-usd", "aged")).Long("donation.total");
        await BuyAsync(checkout, "AGED-TOO-USD", now.AddDays(-1), 1000, "aged-too-usd", "aged-too");
        await BuyAsync(checkout, "AGED-TOO-EUR", now.AddDays(-1), 1000, "aged-too-eur", "aged-too", "eur");
        app.Clock.Set(now);

        var liability = await (await finance.GetAsync("/api/reports/liability")).Expect(HttpStatusCode.OK);
        var lines = liability["charities"]!.AsArray().Select(l => l!).Where(l => l.Str("charity").StartsWith("aged", StringComparison.Ordinal)).ToList();
        lines.Select(l => $"{l.Str("charity")} {l.Str("currency")}").ShouldBe(["aged usd", "aged-too eur", "aged-too usd"]);
        var aged = lines[0];
        (aged.Long("days0To30"), aged.Long("days31To60"), aged.Long("days61To90"), aged.Long("over90Days"))
            .ShouldBe((totals[30], totals[31] + totals[60], totals[61] + totals[90], totals[91]));
        aged.Long("total").ShouldBe(totals.Values.Sum());
    }
}
