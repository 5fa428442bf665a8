using System.Net;
using CharityPromo.Api.Ledger;
using CharityPromo.StripeDouble;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Tests.Integration.Stripe;

/// <summary>
/// Stripe's news at the edges of the refund and dispute rules: a refund whose webhook beats its own record, news that
/// gives nothing back, a failed refund's later news, a refund of money an unheard failure put back, and disputes lost
/// after everything was reversed or for more than was left.
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

    [Theory]
    [InlineData("failed")]
    [InlineData("canceled")]
    public async Task AFailedOrCanceledRefundStaysSoWhateverStripeSaysOfItLater(string final)
    {
        var (id, intent) = await fx.PaidAsync($"EDGE-{final}");
        await (await fx.Checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 1000 }, $"edge-{final}-1")).Expect(HttpStatusCode.Created);
        var refund = fx.Stripe.State.Locked(_ => fx.Stripe.State.Refunds.Single(r => r.PaymentIntent == intent));
        RefundObject Saying(string status) => new()
        {
            Id = refund.Id, Amount = refund.Amount, Currency = "usd", Charge = refund.Charge, PaymentIntent = intent, Metadata = refund.Metadata, Status = status,
        };
        if (final == "failed") fx.Stripe.State.SettleRefund(refund.Id, succeed: false);
        else await SendAsync("refund.updated", Saying("canceled"));
        await fx.Stripe.Webhooks.DrainAsync();
        (await fx.PurchaseAsync(id)).Long("refunded").ShouldBe(0);

        // Out-of-order or stray news after it: failed and canceled are final, so none of it counts the refund again.
        foreach (var status in new[] { "succeeded", "canceled", "failed", "pending" }.Where(s => s != final))
            await SendAsync("refund.updated", Saying(status));

        var purchase = await fx.PurchaseAsync(id);
        (purchase.Str("status"), purchase.Long("refunded"), purchase.Long("reversed")).ShouldBe(("confirmed", 0L, 0L));
        (await fx.App.WithDbAsync(db => db.Refunds.AsNoTracking().SingleAsync(r => r.StripeRefundId == refund.Id))).StripeStatus.ShouldBe(final);
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

    /// <summary>
    /// A pending refund of 2,000 fails at Stripe, whose news is held back; the shop then refunds everything left at
    /// Stripe, 5,100 (the failure put the 2,000 back). Returns the purchase, the failed refund, the new one, and
    /// Stripe's news of it all, not yet delivered.
    /// </summary>
    private async Task<(string Id, string Failed, string Full, List<EventObject> Held)> RefundAfterAnUnheardFailureAsync(string orderId, bool fullStartsPending)
    {
        var (id, intent) = await fx.PaidAsync(orderId);
        fx.Stripe.State.RefundsStartPending = true;
        try
        {
            await (await fx.Checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 2000 }, $"{orderId}-1")).Expect(HttpStatusCode.Created);
            await fx.Stripe.Webhooks.DrainAsync();
            fx.Stripe.Webhooks.Mode = DeliveryMode.Hold;
            var failed = fx.Stripe.State.Locked(_ => fx.Stripe.State.Refunds.Single(r => r.PaymentIntent == intent)).Id;
            fx.Stripe.State.SettleRefund(failed, succeed: false);
            fx.Stripe.State.RefundsStartPending = fullStartsPending;
            var full = fx.Stripe.State.Refund(intent, null, []);
            full.Amount.ShouldBe(5100);
            if (fullStartsPending) fx.Stripe.State.SettleRefund(full.Id, succeed: true);
            (await fx.PurchaseAsync(id)).Long("refunded").ShouldBe(2000); // nothing heard yet
            return (id, failed, full.Id, fx.Stripe.Webhooks.Held.ToList());
        }
        finally
        {
            fx.Stripe.State.RefundsStartPending = false;
            fx.Stripe.Webhooks.Mode = DeliveryMode.Immediate;
            fx.Stripe.Webhooks.DropHeld();
        }
    }

    [Fact]
    public async Task TheChargesRefundListCountsARefundOfMoneyAnUnheardFailurePutBackInFull()
    {
        var (id, failed, full, held) = await RefundAfterAnUnheardFailureAsync("EDGE-LIST", fullStartsPending: false);
        // The first news is the new refund's charge.refunded: Stripe lists the new refund before the failed one.
        (await fx.Stripe.Webhooks.SendAsync(held.Single(e => e.Type == "charge.refunded"))).ShouldBe(200);
        async Task ExpectAllOfItRefundedAsync()
        {
            var purchase = await fx.PurchaseAsync(id);
            (purchase.Str("status"), purchase.Long("refunded"), purchase.Long("reversed")).ShouldBe(("refunded", 5100L, 351L));
            var refunds = await fx.App.WithDbAsync(db => db.Refunds.AsNoTracking().Where(r => r.PurchaseId == Guid.Parse(id)).ToListAsync());
            refunds.Single(r => r.StripeRefundId == failed).RestoredUtc.ShouldNotBeNull();
            refunds.Single(r => r.StripeRefundId == full).Amount.ShouldBe(5100);
        }
        await ExpectAllOfItRefundedAsync();
        foreach (var e in held) await fx.Stripe.Webhooks.SendAsync(e); // the failure's own news, late, and the rest again
        await ExpectAllOfItRefundedAsync();
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task ARefundLargerThanWhatIsLeftWaitsForTheFailureThatMakesRoomForIt()
    {
        var (id, _, full, held) = await RefundAfterAnUnheardFailureAsync("EDGE-WAIT", fullStartsPending: true);
        // The new refund's own news comes first: 5,100 does not fit in the 3,100 left here, so it is not counted yet.
        var settled = held.First(e => e.Type == "refund.updated" && e.Data.Object is RefundObject { Status: "succeeded" } r && r.Id == full);
        (await fx.Stripe.Webhooks.SendAsync(settled)).ShouldBe(200);
        (await fx.App.WithDbAsync(db => db.StripeEvents.SingleAsync(e => e.Id == settled.Id))).Outcome.ShouldBe($"refund {full} (succeeded) changes nothing on purchase {id}");
        (await fx.PurchaseAsync(id)).Long("refunded").ShouldBe(2000);

        foreach (var e in held) await fx.Stripe.Webhooks.SendAsync(e);
        var purchase = await fx.PurchaseAsync(id);
        (purchase.Str("status"), purchase.Long("refunded"), purchase.Long("reversed")).ShouldBe(("refunded", 5100L, 351L));
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task ADisputeForMoreThanWasLeftHoldsOnlyWhatWasLeft()
    {
        var (id, intent) = await fx.PaidAsync("EDGE-DISPUTE-MORE");
        await (await fx.Checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 2000 }, "edge-dispute-more-1")).Expect(HttpStatusCode.Created);
        await fx.Stripe.Webhooks.DrainAsync();
        var dispute = fx.Stripe.State.OpenDispute(intent, amount: 5100); // the bank disputes the whole charge
        await fx.Stripe.Webhooks.DrainAsync();
        fx.Stripe.State.CloseDispute(dispute.Id, won: false);
        await fx.Stripe.Webhooks.DrainAsync();

        var purchase = await fx.PurchaseAsync(id);
        (purchase.Str("status"), purchase.Long("refunded"), purchase.Long("reversed")).ShouldBe(("refunded", 2000L, 351L));
        // The dispute's first news recorded its amount: what was left, not what the bank asked. Its loss reversed the rest.
        var trail = (await AuditTrailTests.TrailAsync(fx.Admin, "&kind=purchase.disputed")).Where(e => e.Str("subject") == $"purchase:{id}").ToList();
        trail.Select(AuditTrailTests.Changes).ShouldBe([
            [$"disputeId: null → {dispute.Id}", "disputeStatus: null → needs_response", "disputeAmount: null → 3100", "status: partially_refunded → disputed"],
            ["disputeStatus: needs_response → lost", "reversed: 137 → 351", "status: disputed → refunded"],
        ]);
        (await ReversalsAsync(id)).Where(l => l.Cause == $"dispute:{dispute.Id}").Select(l => l.Amount).ShouldBe([351L - 137]);
        await fx.InvariantsHoldAsync();
    }
}
