using System.Net;
using System.Text.Json.Nodes;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Tests.Integration;

public class RefundTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    private async Task<(HttpClient Admin, HttpClient Checkout, string PurchaseId)> PurchaseAsync(string campaign, string orderId)
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, slug: campaign);
        var purchase = await (await checkout.PostJson("/api/purchases", Seed.Purchase(orderId, campaign: campaign, customerRef: null), orderId)).Expect(HttpStatusCode.Created);
        return (admin, checkout, purchase.Str("id"));
    }

    private async Task<JsonNode> CampaignAsync(string slug) => await (await app.Client().GetAsync($"/api/campaigns/{slug}")).Expect(HttpStatusCode.OK);

    private async Task InvariantsHoldAsync(HttpClient admin)
    {
        var report = await (await admin.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
        report["ok"]!.GetValue<bool>().ShouldBeTrue(report.ToJsonString());
    }

    [Fact]
    public async Task AFullRefundReversesTheWholeDonation()
    {
        var (admin, checkout, id) = await PurchaseAsync("refund-full", "RF-1");
        var refund = await (await checkout.PostJson($"/api/purchases/{id}/refunds", new { }, "rf-1")).Expect(HttpStatusCode.Created);
        refund.Long("amount").ShouldBe(5100);
        refund["reversed"]!.ToJsonString().ShouldBe("""{"currency":"usd","merchantPledge":250,"match":0,"roundUp":1,"addOn":100,"total":351}""");
        refund.Str("purchase.status").ShouldBe("refunded");
        refund.Long("purchase.net").ShouldBe(0);

        var campaign = await CampaignAsync("refund-full");
        campaign.Long("totals.raised").ShouldBe(0);
        campaign["totals"]!["daily"]![0]!.Long("raised").ShouldBe(0);
        var purchase = await (await checkout.GetAsync($"/api/purchases/{id}")).Expect(HttpStatusCode.OK);
        purchase.Str("status").ShouldBe("refunded");
        purchase.Long("reversed").ShouldBe(351);
        await (await checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 1 }, "rf-again")).ExpectProblem(HttpStatusCode.Conflict, "status");
        await InvariantsHoldAsync(admin);
    }

    [Fact]
    public async Task PartialRefundsReverseInProportionAndAddUpExactly()
    {
        var (admin, checkout, id) = await PurchaseAsync("refund-partial", "RP-1");
        var first = await (await checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 1700, reference = "TILL-R1" }, "rp-1")).Expect(HttpStatusCode.Created);
        first.Long("reversed.total").ShouldBe(116); // a third of each part: 83 + 0 + 0 + 33, each rounded half away from zero
        first.Str("purchase.status").ShouldBe("partially_refunded");
        (await CampaignAsync("refund-partial")).Long("totals.raised").ShouldBe(351 - 116);

        var receipt = await (await app.Client().GetAsync($"/api/receipts/{(await (await checkout.GetAsync($"/api/purchases/{id}")).Json()).Str("receiptCode")}")).Expect(HttpStatusCode.OK);
        receipt.Str("status").ShouldBe("partially_refunded");
        receipt.Long("net").ShouldBe(351 - 116);

        await (await checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 1700 }, "rp-2")).Expect(HttpStatusCode.Created);
        await (await checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 1701 }, "rp-too-much")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "amount");
        var last = await (await checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 1700 }, "rp-3")).Expect(HttpStatusCode.Created);
        last.Str("purchase.status").ShouldBe("refunded");
        last.Long("purchase.reversed").ShouldBe(351);
        (await CampaignAsync("refund-partial")).Long("totals.raised").ShouldBe(0);
        await InvariantsHoldAsync(admin);

        // The ledger says what each reversal was for and where it came from: finance's audit trail.
        var reversals = await app.WithDbAsync(db => db.Ledger.Where(l => l.PurchaseId == Guid.Parse(id) && l.Kind == CharityPromo.Api.Ledger.LedgerKind.Reversed)
            .OrderBy(l => l.CreatedUtc).ThenBy(l => l.Id).Select(l => new { l.Amount, l.Cause, l.Reference }).ToListAsync());
        // Each refund reverses its cumulative share less what went before: ⅓ → 116, ⅔ → 235 (167 + 1 + 67) − 116, all → 351 − 235.
        reversals.Select(r => r.Amount).ShouldBe([116L, 119L, 116L]);
        reversals.Select(r => r.Reference).ShouldBe(["external:TILL-R1", null, null]);
        reversals.Select(r => r.Cause).ShouldAllBe(cause => cause.StartsWith("refund:"));
        reversals.Select(r => r.Cause).Distinct().Count().ShouldBe(3);
    }

    [Fact]
    public async Task WithoutAnAmountARefundGivesBackWhatIsLeftAndEachRefusalSaysWhy()
    {
        var (admin, checkout, id) = await PurchaseAsync("refund-rest", "RL-1");
        await (await checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 1000 }, "rl-1")).Expect(HttpStatusCode.Created);
        var tooMuch = await (await checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 4101 }, "rl-too-much")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "amount");
        tooMuch.Str("detail").ShouldBe("At most 4100 minor units can still be refunded on this purchase.");

        var rest = await (await checkout.PostJson($"/api/purchases/{id}/refunds", new { }, "rl-rest")).Expect(HttpStatusCode.Created);
        (rest.Long("amount"), rest.Long("purchase.refunded"), rest.Str("purchase.status")).ShouldBe((4100L, 5100L, "refunded"));
        rest.Long("purchase.reversed").ShouldBe(351);
        var done = await (await checkout.PostJson($"/api/purchases/{id}/refunds", new { }, "rl-again")).ExpectProblem(HttpStatusCode.Conflict, "status");
        done.Str("detail").ShouldBe("Only a paid purchase can be refunded; this one is refunded.");
        await InvariantsHoldAsync(admin);
    }

    [Fact]
    public async Task ARetriedRefundIsRecordedOnce()
    {
        var (admin, checkout, id) = await PurchaseAsync("refund-retry", "RR-1");
        var first = await checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 1000 }, "rr-1");
        var second = await checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 1000 }, "rr-1");
        (await second.Content.ReadAsStringAsync()).ShouldBe(await first.Content.ReadAsStringAsync());
        second.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
        var purchase = await (await checkout.GetAsync($"/api/purchases/{id}")).Expect(HttpStatusCode.OK);
        purchase.Long("refunded").ShouldBe(1000);
        await InvariantsHoldAsync(admin);
    }

    [Fact]
    public async Task ConcurrentRefundsNeverGiveBackMoreThanWasPaid()
    {
        var (admin, checkout, id) = await PurchaseAsync("refund-race", "RC-1");
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 1000 }, $"rc-{i}")));
        responses.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(5); // 5 × 1000 of 5100 paid
        responses.Count(r => r.StatusCode == HttpStatusCode.UnprocessableEntity).ShouldBe(7);
        var purchase = await (await checkout.GetAsync($"/api/purchases/{id}")).Expect(HttpStatusCode.OK);
        purchase.Long("refunded").ShouldBe(5000);
        purchase.Long("reversed").ShouldBeLessThanOrEqualTo(351);
        await InvariantsHoldAsync(admin);
    }

    [Fact]
    public async Task ConcurrentRetriesOfOneRefundRecordItOnceAndAllGetItsAnswer()
    {
        // Retries racing their first attempt all pass the look-up before the queue; each runs in the writer and
        // would refund again (there is money left), so the stored key must undo them and replay the first answer.
        var (admin, checkout, id) = await PurchaseAsync("refund-retries", "RR-1");
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 1000 }, "rr-same-attempt")));
        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Created);
        (await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()))).Distinct().Count().ShouldBe(1);
        var purchase = await (await checkout.GetAsync($"/api/purchases/{id}")).Expect(HttpStatusCode.OK);
        purchase.Long("refunded").ShouldBe(1000);
        await InvariantsHoldAsync(admin);
    }

    [Fact]
    public async Task OnlyTheOwningCheckoutOrAnAdminMayRefund()
    {
        var (admin, _, id) = await PurchaseAsync("refund-access", "RA-1");
        var stranger = app.Client(await app.CreateKeyAsync("checkout"));
        var finance = app.Client(await app.CreateKeyAsync("finance"));
        (await (await stranger.PostJson($"/api/purchases/{id}/refunds", new { amount = 100 }, "ra-1")).ExpectProblem(HttpStatusCode.NotFound))
            .Str("detail").ShouldBe($"No purchase '{id}' for this API key.");
        await (await finance.PostJson($"/api/purchases/{id}/refunds", new { amount = 100 }, "ra-2")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await admin.PostJson($"/api/purchases/{id}/refunds", new { amount = 100 }, "ra-3")).Expect(HttpStatusCode.Created);
        await (await admin.PostJson($"/api/purchases/{id}/refunds", new { amount = -5 }, "ra-4")).ExpectProblem(HttpStatusCode.BadRequest, "amount");
        await (await admin.PostJson($"/api/purchases/{id}/refunds", new { amount = 100, reference = new string('r', 101) }, "ra-5")).ExpectProblem(HttpStatusCode.BadRequest, "reference");
        await (await admin.PostJson($"/api/purchases/{id}/refunds", new { amount = 100 })).ExpectProblem(HttpStatusCode.BadRequest, "Idempotency-Key");
    }

    [Fact]
    public async Task ARefundIsReadWhereItsLocationSaysByWhoeverMaySeeThePurchase()
    {
        var (admin, checkout, id) = await PurchaseAsync("refund-read", "RD-1");
        var response = await checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 1700, reference = "TILL-RD" }, "rd-1");
        var created = await response.Expect(HttpStatusCode.Created);
        response.Headers.Location!.ToString().ShouldBe($"/api/purchases/{id}/refunds/{created.Str("id")}");

        var read = await (await checkout.GetAsync(response.Headers.Location)).Expect(HttpStatusCode.OK);
        read.ToJsonString().ShouldBe(created.ToJsonString()); // nothing happened since
        (read["stripeStatus"], read["restoredUtc"]).ShouldBe((null, null)); // recorded outside Stripe
        var finance = app.Client(await app.CreateKeyAsync("finance"));
        await (await finance.GetAsync(response.Headers.Location)).Expect(HttpStatusCode.OK);

        // Read later, it shows the purchase as it is now.
        await (await checkout.PostJson($"/api/purchases/{id}/refunds", new { }, "rd-rest")).Expect(HttpStatusCode.Created);
        var later = await (await checkout.GetAsync(response.Headers.Location)).Expect(HttpStatusCode.OK);
        (later.Long("amount"), later.Long("reversed.total"), later.Str("purchase.status"), later.Long("purchase.refunded")).ShouldBe((1700L, 116L, "refunded", 5100L));

        var stranger = app.Client(await app.CreateKeyAsync("checkout"));
        (await (await stranger.GetAsync(response.Headers.Location)).ExpectProblem(HttpStatusCode.NotFound)).Str("detail")
            .ShouldBe($"No refund '{created.Str("id")}' of purchase '{id}' for this API key.");
        await (await checkout.GetAsync($"/api/purchases/{id}/refunds/{Guid.NewGuid()}")).ExpectProblem(HttpStatusCode.NotFound);
        var (_, _, other) = await PurchaseAsync("refund-read-other", "RD-2");
        await (await admin.GetAsync($"/api/purchases/{other}/refunds/{created.Str("id")}")).ExpectProblem(HttpStatusCode.NotFound); // not that purchase's
    }

    [Fact]
    public async Task ARefundTooSmallToReverseAnyPartLeavesTheLedgerAlone()
    {
        var (admin, checkout, id) = await PurchaseAsync("refund-cent", "RCENT-1");
        // 1 of 5,100 paid: each part's share (250, 1 and 100 of 5,100ths) rounds to 0.
        var refund = await (await checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 1 }, "rcent-1")).Expect(HttpStatusCode.Created);
        (refund.Long("reversed.total"), refund.Long("purchase.refunded"), refund.Str("purchase.status")).ShouldBe((0L, 1L, "partially_refunded"));
        (await app.WithDbAsync(db => db.Ledger.CountAsync(l => l.PurchaseId == Guid.Parse(id) && l.Kind == CharityPromo.Api.Ledger.LedgerKind.Reversed))).ShouldBe(0);
        (await CampaignAsync("refund-cent")).Long("totals.raised").ShouldBe(351);
        await InvariantsHoldAsync(admin);
    }

    [Fact]
    public async Task AMatchedPurchaseRefundedInThreePartsReversesEachPartOnTheCumulativeShare()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, slug: "refund-matched", match: new { minPriorPurchases = 1, percentBps = 10000, budget = 50000 });
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("RM-0", campaign: "refund-matched", customerRef: "c-matched"), "rm-0")).Expect(HttpStatusCode.Created);
        var purchase = await (await checkout.PostJson("/api/purchases", Seed.Purchase("RM-1", campaign: "refund-matched", customerRef: "c-matched"), "rm-1"))
            .Expect(HttpStatusCode.Created);
        purchase.Long("donation.match").ShouldBe(351);

        // A third, two thirds, all: each part reverses its rounded cumulative share less what went before.
        var parts = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            var refund = await (await checkout.PostJson($"/api/purchases/{purchase.Str("id")}/refunds", new { amount = 1700 }, $"rm-r{i}")).Expect(HttpStatusCode.Created);
            parts.Add($"{refund.Long("reversed.merchantPledge")} {refund.Long("reversed.match")} {refund.Long("reversed.roundUp")} {refund.Long("reversed.addOn")}");
        }
        parts.ShouldBe(["83 117 0 33", "84 117 1 34", "83 117 0 33"]);
        var after = await (await checkout.GetAsync($"/api/purchases/{purchase.Str("id")}")).Expect(HttpStatusCode.OK);
        (after.Str("status"), after.Long("reversed")).ShouldBe(("refunded", 702L));
        await InvariantsHoldAsync(admin);
    }
}
