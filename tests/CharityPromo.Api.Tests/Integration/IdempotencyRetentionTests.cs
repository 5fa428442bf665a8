using System.Net;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>Stored answers expire after Idempotency:RetentionDays; a retry after that never makes a second purchase or refund. Both providers.</summary>
public class IdempotencyRetentionTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    private IdempotencyRetention Sweeper => app.Services.GetRequiredService<IdempotencyRetention>();

    private Task<int> RecordsAsync(string key) => app.WithDbAsync(db => db.IdempotencyRecords.CountAsync(r => r.Key == key));

    [Fact]
    public async Task AfterTheWindowTheStoredAnswersGoButARetryFindsThePurchaseAndTheRefundItMade()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin);
        var purchase = await (await checkout.PostJson("/api/purchases", Seed.Purchase("KEEP-1"), "keep-1")).Expect(HttpStatusCode.Created);
        var refund = await (await checkout.PostJson($"/api/purchases/{purchase.Str("id")}/refunds", new { amount = 1000 }, "keep-1-refund")).Expect(HttpStatusCode.Created);
        app.Clock.Advance(TimeSpan.FromDays(29));
        var recent = await (await checkout.PostJson("/api/purchases", Seed.Purchase("KEEP-2"), "keep-2")).Expect(HttpStatusCode.Created);

        app.Clock.Advance(TimeSpan.FromDays(2)); // KEEP-1's answers are 31 days old, KEEP-2's 2
        (await Sweeper.SweepOnceAsync(CancellationToken.None)).ShouldBeGreaterThanOrEqualTo(2);
        (await RecordsAsync("keep-1")).ShouldBe(0);
        (await RecordsAsync("keep-1-refund")).ShouldBe(0);
        (await RecordsAsync("keep-2")).ShouldBe(1);

        // The checkout retries anyway: the same purchase and the same refund, as they are now; nothing twice.
        var again = await (await checkout.PostJson("/api/purchases", Seed.Purchase("KEEP-1"), "keep-1")).Expect(HttpStatusCode.Created);
        again.Str("id").ShouldBe(purchase.Str("id"));
        again.Str("status").ShouldBe("partially_refunded");
        var refundAgain = await (await checkout.PostJson($"/api/purchases/{purchase.Str("id")}/refunds", new { amount = 1000 }, "keep-1-refund")).Expect(HttpStatusCode.Created);
        refundAgain.Str("id").ShouldBe(refund.Str("id"));
        (await (await checkout.GetAsync($"/api/purchases/{purchase.Str("id")}")).Expect(HttpStatusCode.OK)).Long("refunded").ShouldBe(1000);
        (await app.WithDbAsync(db => db.Purchases.CountAsync(p => p.OrderId == "KEEP-1"))).ShouldBe(1);
        (await app.WithDbAsync(db => db.Refunds.CountAsync(r => r.PurchaseId == Guid.Parse(purchase.Str("id"))))).ShouldBe(1);

        // The key with another request is still refused; a recent key is still replayed from its stored answer.
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("KEEP-1", amount: 7000), "keep-1")).ExpectProblem(HttpStatusCode.UnprocessableEntity);
        var replayed = await checkout.PostJson("/api/purchases", Seed.Purchase("KEEP-2"), "keep-2");
        replayed.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
        (await replayed.Expect(HttpStatusCode.Created)).Str("id").ShouldBe(recent.Str("id"));
        (await (await admin.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK))["ok"]!.GetValue<bool>().ShouldBeTrue();
    }
}
