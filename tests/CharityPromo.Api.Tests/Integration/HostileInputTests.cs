using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>Inputs a hostile or careless client sends, each answered with a 4xx problem naming the field, and nothing written. Both providers.</summary>
public class HostileInputTests(ApiFactory app) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private HttpClient _admin = null!;
    private HttpClient _checkout = null!;

    public async Task InitializeAsync()
    {
        _admin = app.Client(await app.CreateKeyAsync("admin"));
        _checkout = app.Client(await app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(_admin);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<long> PurchasesAsync() => app.WithDbAsync(db => Task.FromResult((long)db.Purchases.Count()));

    private async Task<HttpResponseMessage> PostRawAsync(HttpClient client, string path, string json, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(request);
    }

    [Theory]
    [InlineData("/api/charities")]
    [InlineData("/api/campaigns")]
    public async Task ASlugEndingInANewlineIsRefusedNotA500(string path)
    {
        // .NET's `$` matches before a final newline; the Location header then refused "ab\n".
        var body = path.EndsWith("charities") ? Seed.Charity("ab\n") : Seed.Campaign(slug: "ab\n");
        await (await _admin.PostJson(path, body)).ExpectProblem(HttpStatusCode.BadRequest, "slug");
    }

    [Theory]
    [InlineData("/api/reports/reconciliation?to=0001-01-01T00:00:00Z", "to")]
    [InlineData("/api/reports/reconciliation?from=9999-12-31T00:00:00Z", "from")]
    [InlineData("/api/reports/summary?from=0001-01-01T00:00:00Z", "from")]
    [InlineData("/api/reports/pledges?to=9999-12-31T23:59:59Z", "to")]
    [InlineData("/api/reports/pledges.csv?from=0001-01-01T00:00:00Z", "from")]
    public async Task ADateOutsideTheYearsDataCanHoldIsRefusedNamingIt(string path, string field)
    {
        var finance = app.Client(await app.CreateKeyAsync("finance"));
        await (await finance.GetAsync(path)).ExpectProblem(HttpStatusCode.BadRequest, field);
    }

    [Theory]
    [InlineData("orderId")]
    [InlineData("payment.reference")]
    [InlineData("customerRef")]
    public async Task AControlCharacterInAPurchasesTextIsRefusedAndNothingIsRecorded(string field)
    {
        var before = await PurchasesAsync();
        var body = Seed.Purchase($"NUL-{field}");
        switch (field)
        {
            case "orderId": body["orderId"] = "NUL\u0000ORDER"; break;
            case "payment.reference": body["payment"] = new { method = "external", reference = "POS\u000077" }; break;
            default: body["customerRef"] = "c-\u001b123"; break;
        }
        await (await _checkout.PostJson("/api/purchases", body, $"nul-{field}")).ExpectProblem(HttpStatusCode.BadRequest, field);
        (await PurchasesAsync()).ShouldBe(before);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("description")]
    [InlineData("registrationNumber")]
    public async Task AControlCharacterInACharitysTextIsRefused(string field)
    {
        var body = new Dictionary<string, object?> { ["slug"] = $"nul-{field.ToLowerInvariant()}", ["name"] = "Name", ["description"] = "Text", ["registrationNumber"] = "R-1" };
        body[field] = "a\u0000b";
        await (await _admin.PostJson("/api/charities", body)).ExpectProblem(HttpStatusCode.BadRequest, field);
        (await _admin.GetAsync($"/api/charities/nul-{field.ToLowerInvariant()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task LineBreaksAndTabsInADescriptionAreText()
    {
        var body = new { slug = "multi-line", name = "Multi line", description = "Books.\r\n\tFor every child." };
        (await (await _admin.PostJson("/api/charities", body)).Expect(HttpStatusCode.Created)).Str("description").ShouldBe("Books.\r\n\tFor every child.");
    }

    [Fact]
    public async Task AControlCharacterInASearchIsRefused() =>
        await (await _checkout.GetAsync("/api/purchases?orderId=%00")).ExpectProblem(HttpStatusCode.BadRequest, "orderId");

    [Fact]
    public async Task AFieldSentTwiceIsRefusedRatherThanPricedAtTheLastValue()
    {
        var before = await PurchasesAsync();
        const string body = """
            {"campaign":"literacy-2026","orderId":"DUP-1","currency":"usd","amount":1000,"Amount":99999999,"roundUp":false,"addOn":0,
             "payment":{"method":"external","reference":"POS-1"}}
            """;
        var problem = await (await PostRawAsync(_checkout, "/api/purchases", body, "dup-1")).ExpectProblem(HttpStatusCode.BadRequest);
        problem["errors"]!.AsObject().Select(e => e.Key.ToLowerInvariant()).ShouldBe(["amount"]);
        (await PurchasesAsync()).ShouldBe(before);
        // The same member twice in one case too, and in a nested object.
        await (await PostRawAsync(_checkout, "/api/purchases", body.Replace("\"Amount\"", "\"amount\""), "dup-2")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await PostRawAsync(_checkout, "/api/purchases", body.Replace("\"Amount\":99999999,", "").Replace("\"reference\":\"POS-1\"", "\"reference\":\"POS-1\",\"method\":\"stripe\""), "dup-3"))
            .ExpectProblem(HttpStatusCode.BadRequest);
        (await PurchasesAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task AWebhookThatIsNotJsonIs415()
    {
        using var content = new StringContent("id=evt_1", Encoding.UTF8, "application/x-www-form-urlencoded");
        var response = await app.Client().PostAsync("/api/stripe/webhook", content);
        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }
}
