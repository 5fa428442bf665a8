using System.Net;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Tests.Integration;

public class IdempotencyTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    private async Task<HttpClient> CheckoutAsync(string campaign)
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        await Seed.ContractCampaignAsync(admin, slug: campaign);
        return app.Client(await app.CreateKeyAsync("checkout"));
    }

    private Task<int> PurchasesAsync(string orderId) => app.WithDbAsync(db => db.Purchases.CountAsync(p => p.OrderId == orderId));

    [Fact]
    public async Task ARetryWithTheSameKeyAndBodyGetsTheFirstResponseAgain()
    {
        var checkout = await CheckoutAsync("replay");
        var body = Seed.Purchase("R-1", campaign: "replay");
        var first = await checkout.PostJson("/api/purchases", body, "retry-me");
        var firstText = await first.Content.ReadAsStringAsync();
        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        first.Headers.Contains("Idempotent-Replayed").ShouldBeFalse();

        var again = await checkout.PostJson("/api/purchases", body, "retry-me");
        again.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await again.Content.ReadAsStringAsync()).ShouldBe(firstText);
        again.Headers.Location.ShouldBe(first.Headers.Location);
        again.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
        (await PurchasesAsync("R-1")).ShouldBe(1);
    }

    [Fact]
    public async Task TheSameKeyWithAnotherBodyIsRefused()
    {
        var checkout = await CheckoutAsync("reuse");
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("U-1", campaign: "reuse"), "reused")).Expect(HttpStatusCode.Created);
        var problem = await (await checkout.PostJson("/api/purchases", Seed.Purchase("U-2", campaign: "reuse"), "reused"))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "Idempotency-Key");
        problem.Str("type").ShouldBe("urn:charitypromo:problem:idempotency-key-reused");
        (await PurchasesAsync("U-2")).ShouldBe(0);
    }

    [Fact]
    public async Task KeysBelongToTheirClient()
    {
        var checkout = await CheckoutAsync("per-client");
        var other = app.Client(await app.CreateKeyAsync("checkout"));
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("K-1", campaign: "per-client"), "shared-key")).Expect(HttpStatusCode.Created);
        await (await other.PostJson("/api/purchases", Seed.Purchase("K-2", campaign: "per-client"), "shared-key")).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task APurchaseNeedsAnIdempotencyKey()
    {
        var checkout = await CheckoutAsync("needs-key");
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("N-1", campaign: "needs-key"))).ExpectProblem(HttpStatusCode.BadRequest, "Idempotency-Key");
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("N-1", campaign: "needs-key"), new string('k', 256))).ExpectProblem(HttpStatusCode.BadRequest, "Idempotency-Key");
        (await PurchasesAsync("N-1")).ShouldBe(0);
    }

    [Fact]
    public async Task AnInvalidRequestIsNotRememberedSoItCanBeCorrectedUnderTheSameKey()
    {
        var checkout = await CheckoutAsync("correct-me");
        var bad = Seed.Purchase("F-1", campaign: "correct-me");
        bad["amount"] = -1;
        await (await checkout.PostJson("/api/purchases", bad, "fix-and-retry")).ExpectProblem(HttpStatusCode.BadRequest, "amount");
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("F-1", campaign: "correct-me"), "fix-and-retry")).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task ABusinessRuleRefusalIsReplayedLikeAnyOtherAnswer()
    {
        var checkout = await CheckoutAsync("refusal");
        var body = Seed.Purchase("B-1", campaign: "refusal", currency: "eur");
        await (await checkout.PostJson("/api/purchases", body, "refused")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "currency");
        var again = await checkout.PostJson("/api/purchases", body, "refused");
        await again.ExpectProblem(HttpStatusCode.UnprocessableEntity, "currency");
        again.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
    }

    [Fact]
    public async Task ConcurrentDuplicatesWithOneKeyRecordExactlyOnePurchase()
    {
        var checkout = await CheckoutAsync("stampede");
        var body = Seed.Purchase("D-1", campaign: "stampede");
        var responses = await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => checkout.PostJson("/api/purchases", body, "same-attempt")));

        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Created);
        var ids = await Task.WhenAll(responses.Select(async r => (await r.Json()).Str("id")));
        ids.Distinct().Count().ShouldBe(1);
        responses.Count(r => !r.Headers.Contains("Idempotent-Replayed")).ShouldBe(1);
        (await PurchasesAsync("D-1")).ShouldBe(1);

        var campaign = await (await app.Client().GetAsync("/api/campaigns/stampede")).Expect(HttpStatusCode.OK);
        campaign.Long("totals.raised").ShouldBe(351);
        campaign.Long("totals.purchases").ShouldBe(1);
    }

    [Fact]
    public async Task ConcurrentRequestsWithDifferentKeysForOneOrderRecordItOnce()
    {
        var checkout = await CheckoutAsync("same-order");
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            checkout.PostJson("/api/purchases", Seed.Purchase("O-1", campaign: "same-order"), $"attempt-{i}")));
        responses.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(1);
        responses.Count(r => r.StatusCode == HttpStatusCode.Conflict).ShouldBe(9);
        (await PurchasesAsync("O-1")).ShouldBe(1);
    }
}
