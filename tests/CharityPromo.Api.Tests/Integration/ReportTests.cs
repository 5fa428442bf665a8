using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Bogus;
using CharityPromo.Testing;
using CsvHelper;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>A generated dataset with refunds, read back through every finance report: the numbers must tie out.</summary>
public class ReportTests(ApiFactory app) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private HttpClient _finance = null!;
    private HttpClient _admin = null!;
    private HttpClient _checkout = null!;

    public async Task InitializeAsync()
    {
        _admin = app.Client(await app.CreateKeyAsync("admin"));
        _checkout = app.Client(await app.CreateKeyAsync("checkout"));
        _finance = app.Client(await app.CreateKeyAsync("finance"));
        if ((await _admin.GetAsync("/api/campaigns/books-usd")).StatusCode == HttpStatusCode.OK) return; // generated once per class

        foreach (var (slug, name) in new[] { ("read-together", "Read Together"), ("tree-fund", "Tree Fund"), ("warm-meals", "Warm Meals") })
            await _admin.ConsentingCharityAsync(slug, name);
        await (await _admin.PostJson("/api/campaigns", Seed.Campaign(slug: "books-usd", charities: ["read-together", "tree-fund"],
            match: new { minPriorPurchases = 1, percentBps = 5000, budget = 2000 }))).Expect(HttpStatusCode.Created);
        await (await _admin.PostJson("/api/campaigns", Seed.Campaign(slug: "meals-jpy", currency: "jpy", charities: ["warm-meals"], roundUp: false,
            pledge: new { percentBps = 300 }))).Expect(HttpStatusCode.Created);

        var faker = new Faker { Random = new Randomizer(20261122) };
        var ids = new List<(string Id, long Paid)>();
        for (var i = 0; i < 90; i++)
        {
            var usd = faker.Random.Bool(0.7f);
            var body = Seed.Purchase($"GEN-{i}", faker.Random.Long(50, 250_000),
                campaign: usd ? "books-usd" : "meals-jpy", charity: usd ? faker.PickRandom("read-together", "tree-fund") : "warm-meals",
                currency: usd ? "usd" : "jpy", roundUp: faker.Random.Bool(), addOn: faker.Random.Bool(0.3f) ? faker.Random.Long(1, 500) : 0,
                customerRef: $"customer-{faker.Random.Int(1, 12)}");
            var purchase = await (await _checkout.PostJson("/api/purchases", body, $"gen-{i}")).Expect(HttpStatusCode.Created);
            ids.Add((purchase.Str("id"), purchase.Long("payment.amount")));
            if (i % 30 == 29) app.Clock.Advance(TimeSpan.FromDays(35)); // spread over months and ageing buckets
        }
        foreach (var (id, paid) in faker.PickRandom(ids, 25))
        {
            var amount = faker.Random.Bool() ? paid : faker.Random.Long(1, paid - 1);
            await (await _checkout.PostJson($"/api/purchases/{id}/refunds", new { amount }, $"gen-refund-{id}")).Expect(HttpStatusCode.Created);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<List<JsonNode>> AllJsonRowsAsync(string query = "")
    {
        var rows = new List<JsonNode>();
        string? after = null;
        do
        {
            var page = await (await _finance.GetAsync($"/api/reports/pledges?format=json&limit=37{query}{(after is null ? "" : $"&after={after}")}")).Expect(HttpStatusCode.OK);
            rows.AddRange(page["items"]!.AsArray().Select(n => n!));
            after = page["next"]?.GetValue<string>();
        } while (after is not null);
        return rows;
    }

    [Fact]
    public async Task EveryReportTiesOutToTheLedgerAndToEachOther()
    {
        var rows = await AllJsonRowsAsync();
        rows.Count.ShouldBe(90);
        rows.Select(r => r.Str("purchaseId")).Distinct().Count().ShouldBe(90);
        rows.ShouldAllBe(r => r.Long("net") == r.Long("total") - r.Long("reversed"));
        rows.ShouldAllBe(r => r.Long("total") == r.Long("merchantPledge") + r.Long("match") + r.Long("roundUp") + r.Long("addOn"));

        var summary = await (await _finance.GetAsync("/api/reports/summary")).Expect(HttpStatusCode.OK);
        var lines = summary["byCharityMonth"]!.AsArray().Select(n => n!).ToList();
        lines.Select(l => l.Str("month")).Distinct().Count().ShouldBeGreaterThan(1);
        lines.ShouldAllBe(l => l.Long("net") == l.Long("pledged") - l.Long("reversed"));
        lines.ShouldAllBe(l => l.Long("remitted") + l.Long("outstanding") == l.Long("net"));

        var liability = await (await _finance.GetAsync("/api/reports/liability")).Expect(HttpStatusCode.OK);
        var aged = liability["charities"]!.AsArray().Select(n => n!).ToList();
        aged.Select(a => a.Long("over90Days")).Sum().ShouldBeGreaterThan(0);

        foreach (var group in rows.GroupBy(r => (Charity: r.Str("charity"), Currency: r.Str("currency"))))
        {
            var net = group.Sum(r => r.Long("net"));
            lines.Where(l => l.Str("charity") == group.Key.Charity && l.Str("currency") == group.Key.Currency).Sum(l => l.Long("net")).ShouldBe(net, group.Key.ToString());
            aged.Single(a => a.Str("charity") == group.Key.Charity && a.Str("currency") == group.Key.Currency).Long("total").ShouldBe(net);
            aged.Where(a => a.Str("charity") == group.Key.Charity).ShouldAllBe(a => a.Long("total") == a.Long("days0To30") + a.Long("days31To60") + a.Long("days61To90") + a.Long("over90Days"));
        }

        foreach (var campaign in new[] { "books-usd", "meals-jpy" })
        {
            var totals = await (await app.Client().GetAsync($"/api/campaigns/{campaign}")).Expect(HttpStatusCode.OK);
            var net = rows.Where(r => r.Str("campaign") == campaign).Sum(r => r.Long("net"));
            totals.Long("totals.raised").ShouldBe(net, campaign);
            summary["byCampaign"]!.AsArray().Single(c => c!.Str("campaign") == campaign)!.Long("net").ShouldBe(net);
        }
        var invariants = await (await _admin.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
        invariants["ok"]!.GetValue<bool>().ShouldBeTrue(invariants.ToJsonString());
    }

    [Fact]
    public async Task TheCsvExportStreamsTheSameRowsAsTheJsonPages()
    {
        var response = await _finance.GetAsync("/api/reports/pledges?format=csv&campaign=books-usd");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        response.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        response.Content.Headers.ContentDisposition.FileNameStar.ShouldStartWith("pledges_books-usd_");
        response.Headers.TransferEncodingChunked.ShouldBe(true); // streamed as it is read, not built in memory first

        var bytes = await response.Content.ReadAsByteArrayAsync();
        bytes.Take(3).ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF }); // UTF-8 BOM: spreadsheets read the file as UTF-8
        var text = Encoding.UTF8.GetString(bytes.AsSpan(3));
        var header = text[..text.IndexOf("\r\n", StringComparison.Ordinal)].Split(',');
        foreach (var column in new[] { "purchaseId", "orderId", "createdUtc", "campaign", "charity", "currency", "amount", "merchantPledge", "match", "roundUp", "addOn", "total", "reversed", "net", "status" })
            header.ShouldContain(column);

        using var csv = new CsvReader(new StringReader(text), CultureInfo.InvariantCulture);
        var parsed = csv.GetRecords<dynamic>().Cast<IDictionary<string, object>>().ToList();
        var json = await AllJsonRowsAsync("&campaign=books-usd");
        parsed.Count.ShouldBe(json.Count);
        for (var i = 0; i < json.Count; i++)
        {
            foreach (var field in new[] { "purchaseId", "orderId", "campaign", "charity", "currency", "status", "createdUtc", "amountMajor", "netMajor" })
                ((string)parsed[i][field]).ShouldBe(json[i].Str(field), field);
            foreach (var field in new[] { "amount", "merchantPledge", "match", "roundUp", "addOn", "total", "reversed", "net" })
                long.Parse((string)parsed[i][field], CultureInfo.InvariantCulture).ShouldBe(json[i].Long(field), field);
            ((string)parsed[i]["createdUtc"]).ShouldMatch(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$");
        }
        var usd = json.First();
        decimal.Parse(usd.Str("amountMajor"), CultureInfo.InvariantCulture).ShouldBe(usd.Long("amount") / 100m);
    }

    [Fact]
    public async Task CellsThatASpreadsheetWouldRunAsFormulasAreNeutralised()
    {
        foreach (var (orderId, i) in new[] { "=HYPERLINK(\"http://evil\")", "+SUM(A1)", "-2+3", "@cmd", "\tTAB" }.Select((o, i) => (o, i)))
            await (await _checkout.PostJson("/api/purchases", Seed.Purchase(orderId, campaign: "books-usd", customerRef: null), $"inject-{i}")).Expect(HttpStatusCode.Created);

        var text = await (await _finance.GetAsync("/api/reports/pledges?format=csv&campaign=books-usd")).Content.ReadAsStringAsync();
        using var csv = new CsvReader(new StringReader(text.TrimStart('\uFEFF')), CultureInfo.InvariantCulture);
        var orderIds = csv.GetRecords<dynamic>().Cast<IDictionary<string, object>>().Select(r => (string)r["orderId"]).ToList();
        orderIds.ShouldContain("'=HYPERLINK(\"http://evil\")");
        orderIds.ShouldContain("'+SUM(A1)");
        orderIds.ShouldContain("'-2+3");
        orderIds.ShouldContain("'@cmd");
        orderIds.ShouldContain("'\tTAB");
        orderIds.ShouldNotContain(o => o.StartsWith('='));

        var json = await AllJsonRowsAsync("&campaign=books-usd");
        json.Select(r => r.Str("orderId")).ShouldContain("=HYPERLINK(\"http://evil\")"); // JSON carries the value as it is
    }

    [Fact]
    public async Task FiltersNarrowTheExportAndBadFiltersNameTheirField()
    {
        var all = await AllJsonRowsAsync();
        var refunded = await AllJsonRowsAsync("&status=refunded");
        refunded.ShouldNotBeEmpty();
        refunded.Count.ShouldBe(all.Count(r => r.Str("status") == "refunded"));
        var jpy = await AllJsonRowsAsync("&currency=jpy&charity=warm-meals");
        jpy.Count.ShouldBe(all.Count(r => r.Str("currency") == "jpy"));
        var early = await AllJsonRowsAsync("&to=2026-06-15T00:00:00Z");
        early.Count.ShouldBe(all.Count(r => string.CompareOrdinal(r.Str("createdUtc"), "2026-06-15") < 0));

        await (await _finance.GetAsync("/api/reports/pledges?status=lost")).ExpectProblem(HttpStatusCode.BadRequest, "status");
        await (await _finance.GetAsync("/api/reports/pledges?format=xlsx")).ExpectProblem(HttpStatusCode.BadRequest, "format");
        await (await _finance.GetAsync("/api/reports/pledges?campaign=nope")).ExpectProblem(HttpStatusCode.BadRequest, "campaign");
        await (await _finance.GetAsync("/api/reports/pledges?currency=USD")).ExpectProblem(HttpStatusCode.BadRequest, "currency");
        await (await _finance.GetAsync("/api/reports/pledges?from=2026-07-01T00:00:00Z&to=2026-06-01T00:00:00Z")).ExpectProblem(HttpStatusCode.BadRequest, "to");
        await (await _finance.GetAsync("/api/reports/pledges?limit=0")).ExpectProblem(HttpStatusCode.BadRequest, "limit");
        await (await _finance.GetAsync("/api/reports/pledges?from=yesterday")).ExpectProblem(HttpStatusCode.BadRequest);
    }
}
