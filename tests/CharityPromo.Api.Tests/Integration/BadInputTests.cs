using System.Net;
using System.Text;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>Hostile and malformed bodies: each gets a 400/422 problem naming the field, and nothing is written.</summary>
public class BadInputTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    private const string Good = """
        { "campaign": "literacy-2026", "charity": "read-together", "orderId": "ORD-1", "currency": "usd", "amount": 4999,
          "roundUp": true, "addOn": 100, "customerRef": "c-123", "payment": { "method": "external", "reference": "POS-77" } }
        """;

    public static TheoryData<string, string, int, string> BadPurchases => new()
    {
        // case, body, status, field named
        { "not json", "this is not json", 400, "body" },
        { "truncated", """{ "campaign": "literacy-2026", "amount": """, 400, "amount" },
        { "array", "[1,2,3]", 400, "body" },
        { "string amount", Good.Replace("4999", "\"4999\""), 400, "amount" },
        { "fractional amount", Good.Replace("4999", "49.99"), 400, "amount" },
        { "overflowing amount", Good.Replace("4999", "99999999999999999999999"), 400, "amount" },
        { "negative amount", Good.Replace("4999", "-4999"), 400, "amount" },
        { "zero amount", Good.Replace("4999", "0"), 400, "amount" },
        { "amount past the limit", Good.Replace("4999", "100000000000"), 400, "amount" },
        { "negative add-on", Good.Replace("\"addOn\": 100", "\"addOn\": -1"), 400, "addOn" },
        { "boolean as string", Good.Replace("\"roundUp\": true", "\"roundUp\": \"yes\""), 400, "roundUp" },
        { "unknown currency", Good.Replace("\"usd\"", "\"xyz\""), 400, "currency" },
        { "uppercase currency", Good.Replace("\"usd\"", "\"USD\""), 400, "currency" },
        { "missing currency", Good.Replace("\"currency\": \"usd\",", ""), 400, "currency" },
        { "missing campaign", Good.Replace("\"campaign\": \"literacy-2026\",", ""), 400, "campaign" },
        { "missing order id", Good.Replace("\"orderId\": \"ORD-1\",", ""), 400, "orderId" },
        { "too-long order id", Good.Replace("ORD-1", new string('x', 101)), 400, "orderId" },
        { "too-long customer ref", Good.Replace("c-123", new string('c', 101)), 400, "customerRef" },
        { "missing payment", Good.Replace(", \"payment\": { \"method\": \"external\", \"reference\": \"POS-77\" }", ""), 400, "payment" },
        { "unknown payment method", Good.Replace("\"external\"", "\"cash\""), 400, "payment.method" },
        { "external payment without reference", Good.Replace(", \"reference\": \"POS-77\"", ""), 400, "payment.reference" },
        { "unknown field", Good.Replace("\"amount\": 4999", "\"amount\": 4999, \"amountt\": 1"), 400, "amountt" },
        { "null campaign", Good.Replace("\"literacy-2026\"", "null"), 400, "campaign" },
        { "slug with spaces", Good.Replace("\"literacy-2026\"", "\"literacy 2026\""), 400, "campaign" },
        { "unknown campaign", Good.Replace("literacy-2026", "no-such-campaign"), 422, "campaign" },
        { "unknown charity", Good.Replace("read-together", "no-such-charity"), 422, "charity" },
        { "another currency", Good.Replace("\"usd\"", "\"eur\""), 422, "currency" },
    };

    [Theory]
    [MemberData(nameof(BadPurchases))]
    public async Task BadPurchasesAreRefusedNamingTheFieldAndWriteNothing(string name, string body, int status, string field)
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        await Seed.ContractCampaignAsync(admin);
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        var before = await CountsAsync();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/purchases") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", $"bad-{Guid.NewGuid():N}");
        var response = await checkout.SendAsync(request);

        await response.ExpectProblem((HttpStatusCode)status, field);
        var after = await CountsAsync();
        (after.Purchases, after.Ledger).ShouldBe((before.Purchases, before.Ledger), name);
        // A 400 is not remembered (the client may fix it under the same key); a 422 is the key's answer.
        after.Idempotency.ShouldBe(before.Idempotency + (status == 422 ? 1 : 0), name);
    }

    public static TheoryData<string, string, string> BadCampaigns => new()
    {
        { "both pledge kinds", """{"percentBps":500,"fixedAmount":10}""", "pledge" },
        { "no pledge kind", """{"capPerPurchase":10}""", "pledge" },
        { "over 100 percent", """{"percentBps":10001}""", "pledge.percentBps" },
        { "negative cap", """{"percentBps":500,"capPerPurchase":-1}""", "pledge.capPerPurchase" },
    };

    [Theory]
    [MemberData(nameof(BadCampaigns))]
    public async Task BadPledgeRulesAreRefusedNamingTheField(string name, string pledge, string field)
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        await admin.ConsentingCharityAsync();
        var body = System.Text.Json.JsonSerializer.Serialize(Seed.Campaign(slug: "bad-pledge"), System.Text.Json.JsonSerializerOptions.Web)
            .Replace("""{"percentBps":500,"fixedAmount":null,"capPerPurchase":500}""", pledge);
        await (await admin.PostJson("/api/campaigns", body)).ExpectProblem(HttpStatusCode.BadRequest, field);
        (await app.WithDbAsync(db => db.Campaigns.CountAsync(c => c.Slug == "bad-pledge"))).ShouldBe(0, name);
    }

    [Fact]
    public async Task CampaignsNamingUnknownCharitiesAreRefusedNamingWhichOne()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        await admin.ConsentingCharityAsync();
        var response = await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "ghost", charities: ["read-together", "ghost-charity"]));
        await response.ExpectProblem(HttpStatusCode.UnprocessableEntity, "charities[1]");
        (await app.WithDbAsync(db => db.Campaigns.CountAsync(c => c.Slug == "ghost"))).ShouldBe(0);
    }

    [Fact]
    public async Task ABodyOverTheSizeLimitIsRefusedWith413()
    {
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        var huge = Good.Replace("c-123", new string('x', 70_000));
        var response = await checkout.PostJson("/api/purchases", huge, "too-big");
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
    }

    private Task<(int Purchases, int Ledger, int Idempotency)> CountsAsync() => app.WithDbAsync(async db =>
        (await db.Purchases.CountAsync(), await db.Ledger.CountAsync(), await db.IdempotencyRecords.CountAsync()));
}
