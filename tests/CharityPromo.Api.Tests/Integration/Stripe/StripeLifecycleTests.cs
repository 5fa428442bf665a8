using System.Net;
using System.Text.Json.Nodes;
using CharityPromo.StripeDouble;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration.Stripe;

/// <summary>
/// Refunds and disputes follow Stripe's whole lifecycle: a refund that fails after it was counted puts back exactly
/// what it took, once; an inquiry holds nothing; a lost dispute reverses its share of the donation. After every step
/// the purchase, the public totals, the finance export and the ledger (invariants) agree.
/// </summary>
public class StripeLifecycleTests(StripeFixture fx) : IClassFixture<StripeFixture>
{
    private HttpClient? _finance;

    /// <summary>The purchase as the API, the finance export and the ledger see it: "status refunded reversed net".</summary>
    private async Task<string> StateAsync(string purchaseId)
    {
        await fx.Stripe.Webhooks.DrainAsync();
        _finance ??= fx.App.Client(await fx.App.CreateKeyAsync("finance"));
        var purchase = await fx.PurchaseAsync(purchaseId);
        var rows = (await (await _finance.GetAsync("/api/reports/pledges?format=json&limit=5000")).Expect(HttpStatusCode.OK))["items"]!.AsArray();
        var row = rows.Single(r => r!.Str("purchaseId") == purchaseId)!;
        row.Long("reversed").ShouldBe(purchase.Long("reversed"));
        row.Long("refunded").ShouldBe(purchase.Long("refunded"));
        row.Long("net").ShouldBe(351 - purchase.Long("reversed"));
        await fx.InvariantsHoldAsync();
        return $"{purchase.Str("status")} refunded={purchase.Long("refunded")} reversed={purchase.Long("reversed")}";
    }

    private async Task<JsonNode> RefundAsync(string purchaseId, long amount, string key) =>
        await (await fx.Checkout.PostJson($"/api/purchases/{purchaseId}/refunds", new { amount }, key)).Expect(HttpStatusCode.Created);

    private string RefundIdAtStripe(string intentId) => fx.Stripe.State.Locked(_ => fx.Stripe.State.Refunds.Last(r => r.PaymentIntent == intentId).Id);

    [Fact]
    public async Task APendingRefundReversesAtOnceAndWhenItFailsEverythingItTookIsPutBackOnce()
    {
        var raised = (await fx.TotalsAsync()).Long("raised");
        var (id, intent) = await fx.PaidAsync("LC-PENDING-FAIL");
        string ours;
        fx.Stripe.State.RefundsStartPending = true;
        try
        {
            ours = (await RefundAsync(id, 2550, "lc-pf-1")).Str("id");
        }
        finally
        {
            fx.Stripe.State.RefundsStartPending = false;
        }
        (await StateAsync(id)).ShouldBe("partially_refunded refunded=2550 reversed=176");
        (await fx.TotalsAsync()).Long("raised").ShouldBe(raised + 351 - 176); // never more than will reach the charity

        var stripeRefund = RefundIdAtStripe(intent);
        (await (await fx.Checkout.GetAsync($"/api/purchases/{id}/refunds/{ours}")).Expect(HttpStatusCode.OK)).Str("stripeStatus").ShouldBe("pending");
        fx.Stripe.State.SettleRefund(stripeRefund, succeed: false);
        (await StateAsync(id)).ShouldBe("confirmed refunded=0 reversed=0");
        var failed = await (await fx.Checkout.GetAsync($"/api/purchases/{id}/refunds/{ours}")).Expect(HttpStatusCode.OK);
        (failed.Str("stripeStatus"), failed.Str("restoredUtc"), failed.Str("purchase.status")).ShouldBe(("failed", "2026-06-01T12:00:00Z", "confirmed"));
        (await fx.TotalsAsync()).Long("raised").ShouldBe(raised + 351);

        // In the ledger: the reversal, and the entry that put exactly it back, both traced to Stripe's refund.
        var entries = await fx.App.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            db.Ledger.Where(l => l.PurchaseId == Guid.Parse(id) && l.Kind == CharityPromo.Api.Ledger.LedgerKind.Reversed)
                .OrderBy(l => l.Amount).Select(l => new { l.Amount, l.Donation.MerchantPledge, l.Donation.Match, l.Donation.RoundUp, l.Donation.AddOn, l.Cause, l.Reference })));
        entries.Select(e => (e.Amount, e.MerchantPledge, e.RoundUp, e.AddOn)).ShouldBe([(-176L, -125L, -1L, -50L), (176L, 125L, 1L, 50L)]);
        entries.ShouldAllBe(e => e.Reference == $"stripe:{stripeRefund}");
        entries[0].Cause.ShouldBe(entries[1].Cause.Replace("refund:", "refund-restored:"));

        // Stripe redelivers every event of it, twice: nothing moves again.
        var events = fx.Stripe.State.Locked(_ => fx.Stripe.State.Events.Where(e => e.Data.Object is RefundObject r && r.PaymentIntent == intent
            || e.Data.Object is ChargeObject c && c.PaymentIntent == intent).ToList());
        foreach (var e in events) await fx.Stripe.Webhooks.SendAsync(e, times: 2);
        (await StateAsync(id)).ShouldBe("confirmed refunded=0 reversed=0");

        // On record once each, whatever was redelivered: the refund (by the checkout's key, or by Stripe when its webhook
        // reached the API before the API's own call had recorded the refund: whichever records it first), its undoing by Stripe.
        var trail = (await AuditTrailTests.TrailAsync(fx.Admin, "&kind=refund")).Where(e => e.Str("subject") == $"purchase:{id}").ToList();
        trail.Select(e => e.Str("kind")).ShouldBe(["refund.created", "refund.restored"]);
        var byStripe = trail[0].Str("actor") == "stripe"; // recorded from Stripe's news, which names the refund as its reference
        AuditTrailTests.Changes(trail[0]).ShouldBe([
            $"refundId: null → {ours}", "amount: null → 2550", $"stripeRefundId: null → {stripeRefund}",
            .. byStripe ? new[] { $"reference: null → stripe:{stripeRefund}" } : [],
            "refunded: 0 → 2550", "reversed: 0 → 176", "status: confirmed → partially_refunded",
        ]);
        trail[1].Str("actor").ShouldBe("stripe");
        AuditTrailTests.Changes(trail[1]).ShouldBe([
            $"refundId: {ours} → null", $"stripeRefundId: {stripeRefund} → null",
            "refunded: 2550 → 0", "reversed: 176 → 0", "status: partially_refunded → confirmed",
        ]);

        // The shopper can still be refunded for real afterwards.
        await RefundAsync(id, 5100, "lc-pf-2");
        (await StateAsync(id)).ShouldBe("refunded refunded=5100 reversed=351");
    }

    [Fact]
    public async Task APendingRefundThatSucceedsChangesNothingMore()
    {
        var (id, intent) = await fx.PaidAsync("LC-PENDING-OK");
        fx.Stripe.State.RefundsStartPending = true;
        try
        {
            await RefundAsync(id, 1000, "lc-po-1");
        }
        finally
        {
            fx.Stripe.State.RefundsStartPending = false;
        }
        var before = await StateAsync(id);
        fx.Stripe.State.SettleRefund(RefundIdAtStripe(intent), succeed: true);
        (await StateAsync(id)).ShouldBe(before);
        before.ShouldBe("partially_refunded refunded=1000 reversed=69");
    }

    [Fact]
    public async Task ARefundThatFailsAfterSucceedingIsPutBackWhateverOrderItsEventsArriveIn()
    {
        var finals = new List<string>();
        for (var seed = 0; seed < 3; seed++)
        {
            var (id, intent) = await fx.PaidAsync($"LC-ORDER-{seed}", "pm_card_refundFail");
            await RefundAsync(id, 1000, $"lc-order-{seed}-a");
            (await StateAsync(id)).ShouldBe("partially_refunded refunded=1000 reversed=69");

            fx.Stripe.Webhooks.Mode = DeliveryMode.Hold;
            fx.Stripe.State.SettleRefund(RefundIdAtStripe(intent), succeed: false);
            var random = new Random(seed);
            await fx.Stripe.Webhooks.DeliverHeldAsync(held => seed == 0 ? held.Reverse() : held.OrderBy(_ => random.Next()), times: 2);
            fx.Stripe.Webhooks.Mode = DeliveryMode.Immediate;
            fx.Stripe.Webhooks.Deliveries.Where(d => d.Status != 200).ShouldBeEmpty();
            finals.Add(await StateAsync(id));
        }
        finals.Distinct().ShouldBe(["confirmed refunded=0 reversed=0"]);
    }

    [Fact]
    public async Task AnInquiryHoldsNothingAndItsPledgeCanBeRemitted()
    {
        var raised = (await fx.TotalsAsync()).Long("raised");
        var (id, intent) = await fx.PaidAsync("LC-INQUIRY");
        var inquiry = fx.Stripe.State.OpenDispute(intent, inquiry: true);
        (await StateAsync(id)).ShouldBe("confirmed refunded=0 reversed=0");
        (await fx.PurchaseAsync(id)).Str("payment.disputeStatus").ShouldBe("warning_needs_response");
        fx.Stripe.State.SubmitEvidence(inquiry.Id);
        fx.Stripe.State.CloseDispute(inquiry.Id, won: false);
        (await StateAsync(id)).ShouldBe("confirmed refunded=0 reversed=0");
        (await fx.PurchaseAsync(id)).Str("payment.disputeStatus").ShouldBe("warning_closed");
        (await fx.TotalsAsync()).Long("raised").ShouldBe(raised + 351);
    }

    [Fact]
    public async Task ALostPartialDisputeReversesItsShareAndOneOnAPartlyRefundedChargeReversesTheRest()
    {
        var (half, halfIntent) = await fx.PaidAsync("LC-DISPUTE-HALF");
        var dispute = fx.Stripe.State.OpenDispute(halfIntent, amount: 2550);
        (await StateAsync(half)).ShouldBe("disputed refunded=0 reversed=0");
        fx.Stripe.State.SubmitEvidence(dispute.Id);
        fx.Stripe.State.CloseDispute(dispute.Id, won: false);
        (await StateAsync(half)).ShouldBe("partially_refunded refunded=0 reversed=176");
        var disputed = await AuditTrailTests.TrailAsync(fx.Admin, "&kind=purchase.disputed");
        var lost = disputed.Single(e => e.Str("subject") == $"purchase:{half}" && AuditTrailTests.Change(e, "disputeStatus").Str("after") == "lost");
        lost.Str("actor").ShouldBe("stripe");
        (AuditTrailTests.Change(lost, "reversed").Str("before"), AuditTrailTests.Change(lost, "reversed").Str("after")).ShouldBe(("0", "176"));

        var (rest, restIntent) = await fx.PaidAsync("LC-DISPUTE-REST");
        await RefundAsync(rest, 1000, "lc-dispute-rest");
        var other = fx.Stripe.State.OpenDispute(restIntent); // for the 4,100 not refunded
        other.Amount.ShouldBe(4100);
        fx.Stripe.State.CloseDispute(other.Id, won: false);
        (await StateAsync(rest)).ShouldBe("refunded refunded=1000 reversed=351");
    }

    [Theory]
    [InlineData(true, "confirmed refunded=0 reversed=0")]
    [InlineData(false, "partially_refunded refunded=0 reversed=176")]
    public async Task ADisputesEventsInAnyOrderEndInTheSameState(bool won, string expected)
    {
        var finals = new List<string>();
        for (var seed = 0; seed < 3; seed++)
        {
            var (id, intent) = await fx.PaidAsync($"LC-DORDER-{won}-{seed}");
            fx.Stripe.Webhooks.Mode = DeliveryMode.Hold;
            var dispute = fx.Stripe.State.OpenDispute(intent, amount: 2550); // created, funds_withdrawn
            fx.Stripe.State.SubmitEvidence(dispute.Id);                       // updated
            fx.Stripe.State.CloseDispute(dispute.Id, won);                    // closed (and funds_reinstated when won)
            var random = new Random(seed);
            await fx.Stripe.Webhooks.DeliverHeldAsync(held => seed == 0 ? held.Reverse() : held.OrderBy(_ => random.Next()), times: 2);
            fx.Stripe.Webhooks.Mode = DeliveryMode.Immediate;
            fx.Stripe.Webhooks.Deliveries.Where(d => d.Status != 200).ShouldBeEmpty();
            finals.Add(await StateAsync(id));
        }
        finals.Distinct().ShouldBe([expected]);
    }

    [Fact]
    public async Task ACancelledPaymentGivesBackTheMatchBudgetItHeldOnce()
    {
        await Seed.ContractCampaignAsync(fx.Admin, slug: "lc-matched", match: new { minPriorPurchases = 1, percentBps = 10000, budget = 50000 });
        async Task<long> MatchUsedAsync() => (await (await fx.App.Client().GetAsync("/api/campaigns/lc-matched")).Expect(HttpStatusCode.OK)).Long("match.used");
        await (await fx.Checkout.PostJson("/api/purchases", Seed.Purchase("LC-MATCH-0", campaign: "lc-matched", customerRef: "c-match"), "lc-match-0"))
            .Expect(HttpStatusCode.Created); // the customer's earlier paid purchase
        var usedBefore = await MatchUsedAsync();

        var body = Seed.Purchase("LC-MATCH-1", campaign: "lc-matched", customerRef: "c-match");
        body["payment"] = new { method = "stripe" };
        var pending = await (await fx.Checkout.PostJson("/api/purchases", body, "lc-match-1")).Expect(HttpStatusCode.Created);
        pending.Long("donation.match").ShouldBe(351);
        (await MatchUsedAsync()).ShouldBe(usedBefore + 351);

        fx.Stripe.State.Cancel(pending.Str("payment.paymentIntentId"));
        await fx.Stripe.Webhooks.DrainAsync();
        (await fx.PurchaseAsync(pending.Str("id"))).Str("status").ShouldBe("failed");
        (await MatchUsedAsync()).ShouldBe(usedBefore);

        var canceled = fx.Stripe.State.Locked(_ => fx.Stripe.State.Events.Last(e => e.Type == "payment_intent.canceled"));
        await fx.Stripe.Webhooks.SendAsync(canceled, times: 2); // redelivered: nothing is given back twice
        (await MatchUsedAsync()).ShouldBe(usedBefore);
        await fx.InvariantsHoldAsync();
    }
}
