using System.Net;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>What no cache may keep, and which address the API names itself by.</summary>
public class ResponseHeaderTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task EveryAnswerToAKeyedRequestIsNoStoreAndPublicReadsStayCacheable()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, slug: "no-store");
        var created = await checkout.PostJson("/api/purchases", Seed.Purchase("NO-STORE-1", campaign: "no-store"), "no-store-1");
        var replayed = await checkout.PostJson("/api/purchases", Seed.Purchase("NO-STORE-1", campaign: "no-store"), "no-store-1");
        var id = (await created.Expect(HttpStatusCode.Created)).Str("id");

        foreach (var response in new[]
        {
            created, replayed, await checkout.GetAsync($"/api/purchases/{id}"), await checkout.GetAsync("/api/reports/summary"), // 403
            await app.Client("cp_" + new string('x', 40)).GetAsync("/api/purchases"), // 401
            await admin.GetAsync("/api/campaigns/no-store"), // a public read, asked with a key
        })
            response.Headers.CacheControl!.NoStore.ShouldBeTrue($"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri} {response.StatusCode}");

        var anonymous = await app.Client().GetAsync("/api/campaigns/no-store");
        anonymous.StatusCode.ShouldBe(HttpStatusCode.OK);
        (anonymous.Headers.CacheControl?.NoStore ?? false).ShouldBeFalse();
    }
}

/// <summary>With <c>Api__PublicBaseUrl</c> set, the document names that address and other Host headers are refused.</summary>
public sealed class PublicAddressTests : IDisposable
{
    private readonly ApiFactory _app = new();

    public PublicAddressTests() => _app.Settings["Api:PublicBaseUrl"] = "https://api.shop.example/";

    [Fact]
    public async Task TheDocumentNamesThePublicAddressAndAForgedHostIsRefused()
    {
        var document = await (await _app.Client().GetAsync("/swagger/v1/swagger.json")).Expect(HttpStatusCode.OK);
        document["servers"]![0]!["url"]!.GetValue<string>().ShouldBe("https://api.shop.example");
        document["info"]!["license"]!["url"]!.GetValue<string>().ShouldBe("https://api.shop.example/license");

        using var forged = new HttpRequestMessage(HttpMethod.Get, "/swagger/v1/swagger.json");
        forged.Headers.Host = "evil.example";
        (await _app.Client().SendAsync(forged)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var own = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        own.Headers.Host = "api.shop.example";
        (await _app.Client().SendAsync(own)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    public void Dispose() => _app.Dispose();
}
