using System.Net;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>Public reads answer HEAD as they answer GET, without the body; nothing else gains a method.</summary>
public class HeadRequestTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task PublicReadsAnswerHeadWithTheHeadersOfTheirGetAndNoBody()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        await Seed.ContractCampaignAsync(admin);
        var receipt = (await (await app.Client(await app.CreateKeyAsync("checkout")).PostJson("/api/purchases", Seed.Purchase("HEAD-1"), "head-1"))
            .Expect(HttpStatusCode.Created)).Str("receiptCode");
        var anonymous = app.Client();
        foreach (var path in new[] { "/api/campaigns", "/api/campaigns/literacy-2026", "/api/campaigns/literacy-2026/pledges/recent",
                     "/api/charities", "/api/charities/read-together", $"/api/receipts/{receipt}" })
        {
            var get = await anonymous.GetAsync(path);
            get.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            var head = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
            head.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            head.Content.Headers.ContentType!.MediaType.ShouldBe(get.Content.Headers.ContentType!.MediaType, path);
            (await head.Content.ReadAsByteArrayAsync()).ShouldBeEmpty(path);
        }
        (await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/campaigns/nobody"))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // Key-only reads are not public reads: without a key HEAD learns only that one is needed; with one, it is not a method there.
        (await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/purchases"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await admin.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/admin/invariants"))).StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        (await admin.PostJson("/api/charities", Seed.Charity("head-still-posts", "Still posts"))).StatusCode.ShouldBe(HttpStatusCode.Created);
    }
}
