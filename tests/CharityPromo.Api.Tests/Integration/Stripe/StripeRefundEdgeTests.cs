using System.Net;
using CharityPromo.Api.Ledger;
using CharityPromo.StripeDouble;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Tests.Integration.Stripe;

/// <summary>
/// Stripe's news at the edges of the refund and dispute rules: a refund whose webhook beats its own record, news that
/// gives nothing back, a failed refund's later news, and a dispute lost after everything was reversed.
/// </summary>
public class StripeRefundEdgeTests(StripeFixture fx) : IClassFixture<StripeFixture>
{
    /// <summary>Stripe's news about a refund as it would send it, with whatever the test needs the refund to say.</summary>
    private async Task SendAsync(string type, RefundObject refund)
    {
        var apiVersion = fx.Stripe.State.Locked(_ => fx.Stripe.State.Events[0].ApiVersion);
        var e = new EventObject
        {
            Id = $"evt_edge_{Guid.NewGuid():N}", ApiVersion = apiVersion, Created = fx.App.Clock.GetUtcNow().ToUnixTimeSeconds(), Type = type,
            Data = new EventDataObject { Object = refund },
        };
        (await fx.Stripe.Webhooks.SendAsync(e)).ShouldBe(200);
    }

    private Task<List<LedgerEntry>> ReversalsAsync(string purchaseId) => fx.App.WithDbAsync(db =>
        db.Ledger.AsNoTracking().Where(l => l.PurchaseId == Guid.Parse(purchaseId) && l.Kind == LedgerKind.Reversed).ToListAsync());

    [Fact]
    public async Task ARefundWhoseWebhookBeatsItsOwnRecordIsRecordedUnderOurIdOnce()
    {
        var (id, intent) = await fx.PaidAsync("EDGE-OURS");
        // Our refund request reached Stripe but its answer never came back: Stripe's news is the first we hear of it.
        var ours = Guid.CreateVersion7();
        var made = fx.Stripe.State.Refund(intent, 1000, new() { ["refund_id"] = ours.ToString() });
        await fx.Stripe.Webhooks.DrainAsync();

        var recorded = await fx.App.WithDbAsync(db => db.Refunds.AsNoTracking().Where(r => r.PurchaseId == Guid.Parse(id)).ToListAsync());
        recorded.Select(r => (r.Id, r.StripeRefundId, r.Amount)).ShouldBe([(ours, made.Id, 1000L)]);
        (await ReversalsAsync(id)).Select(l => l.Cause).ShouldBe([$"refund:{ours}"]);
        (await fx.PurchaseAsync(id)).Long("refunded").ShouldBe(1000);
    }

    [Fact]
    public async Task NewsOfARefundThatGivesNothingBackChangesNothing()
    {
        var (id, intent) = await fx.PaidAsync("EDGE-ZERO");
        var charge = fx.Stripe.State.Locked(_ => fx.Stripe.State.Intents[intent].LatestCharge!);
        await SendAsync("refund.updated", new RefundObject { Id = "re_edge_zero", Amount = 0, Currency = "usd", Charge = charge, PaymentIntent = intent });

        (await fx.App.WithDbAsync(db => db.Refunds.CountAsync(r => r.PurchaseId == Guid.Parse(id)))).ShouldBe(0);
        (await ReversalsAsync(id)).ShouldBeEmpty();
        var purchase = await fx.PurchaseAsync(id);
        (purchase.Str("status"), purchase.Long("refunded")).ShouldBe(("confirmed", 0L));
    }

    [Fact]
    public async Task AFailedRefundStaysFailedWhateverStripeSaysOfItLater()
    {
        var (id, intent) = await fx.PaidAsync("EDGE-FAILED");
        await (await fx.Checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 1000 }, "edge-failed-1")).Expect(HttpStatusCode.Created);
        var refund = fx.Stripe.State.Locked(_ => fx.Stripe.State.Refunds.Single(r => r.PaymentIntent == intent));
        fx.Stripe.State.SettleRefund(refund.Id, succeed: false);
        await fx.Stripe.Webhooks.DrainAsync();
        (await fx.PurchaseAsync(id)).Long("refunded").ShouldBe(0);

        // Out-of-order or stray news after the failure: a failed refund is final, so none of it counts the refund again.
        foreach (var status in new[] { "succeeded", "canceled", "pending" })
            await SendAsync("refund.updated", new RefundObject
            {
                Id = refund.Id, Amount = refund.Amount, Currency = "usd", Charge = refund.Charge, PaymentIntent = intent, Metadata = refund.Metadata, Status = status,
            });

        var purchase = await fx.PurchaseAsync(id);
        (purchase.Str("status"), purchase.Long("refunded"), purchase.Long("reversed")).ShouldBe(("confirmed", 0L, 0L));
        (await fx.App.WithDbAsync(db => db.Refunds.AsNoTracking().SingleAsync(r => r.StripeRefundId == refund.Id))).StripeStatus.ShouldBe("failed");
        (await ReversalsAsync(id)).Select(l => l.Amount).Order().ShouldBe([-69L, 69L]); // taken once, put back once
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task ADisputeLostAfterEverythingWasReversedPostsNoEmptyReversal()
    {
        var (id, intent) = await fx.PaidAsync("EDGE-DISPUTE");
        // 5,099 of the 5,100 paid comes back: the whole 351 of the donation is reversed already (351 × 5099 / 5100 rounds to 351).
        (await (await fx.Checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 5099 }, "edge-dispute-1")).Expect(HttpStatusCode.Created))
            .Long("purchase.reversed").ShouldBe(351);
        await fx.Stripe.Webhooks.DrainAsync();
        var dispute = fx.Stripe.State.OpenDispute(intent); // for the last cent
        fx.Stripe.State.CloseDispute(dispute.Id, won: false);
        await fx.Stripe.Webhooks.DrainAsync();

        var purchase = await fx.PurchaseAsync(id);
        purchase.Long("reversed").ShouldBe(351);
        purchase.Str("payment.disputeStatus").ShouldBe("lost");
        (await ReversalsAsync(id)).Where(l => l.Cause.StartsWith("dispute:", StringComparison.Ordinal)).ShouldBeEmpty();
        await fx.InvariantsHoldAsync();
    }
}
