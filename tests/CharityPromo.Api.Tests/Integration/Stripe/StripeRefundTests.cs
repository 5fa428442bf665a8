using System.Net;
using System.Text.Json.Nodes;
using CharityPromo.StripeDouble;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Tests.Integration.Stripe;

public class StripeRefundTests(StripeFixture fx) : IClassFixture<StripeFixture>
{
    private long RefundedAtStripe(string intentId) =>
        fx.Stripe.State.Locked(_ => fx.Stripe.State.Refunds.Where(r => r.PaymentIntent == intentId).Sum(r => r.Amount));

    [Fact]
    public async Task AFullRefundGoesThroughStripeAndReversesTheWholeDonationOnce()
    {
        var before = await fx.TotalsAsync();
        var (id, intent) = await fx.PaidAsync("SR-FULL");
        var refund = await (await fx.Checkout.PostJson($"/api/purchases/{id}/refunds", new { }, "sr-full")).Expect(HttpStatusCode.Created);
        await fx.Stripe.Webhooks.DrainAsync(); // charge.refunded arrives too: it must not count the refund again
        refund.Long("amount").ShouldBe(5100);
        refund.Long("reversed.total").ShouldBe(351);
        RefundedAtStripe(intent).ShouldBe(5100);
        var stripeRefund = fx.Stripe.State.Locked(_ => fx.Stripe.State.Refunds.Single(r => r.PaymentIntent == intent));
        stripeRefund.Metadata["refund_id"].ShouldBe(refund.Str("id"));
        fx.Stripe.Requests.Single(r => r.Path == "/v1/refunds" && r.Method == "POST" && r.Body.Contains(intent)).IdempotencyKey.ShouldBe($"refund:{refund.Str("id")}");

        var purchase = await fx.PurchaseAsync(id);
        purchase.Str("status").ShouldBe("refunded");
        purchase.Long("reversed").ShouldBe(351);
        (await fx.TotalsAsync()).Long("raised").ShouldBe(before.Long("raised"));
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task RepeatedPartialRefundsAddUpToAFullOneAndNeverReverseMore()
    {
        var (id, intent) = await fx.PaidAsync("SR-PART");
        var reversed = 0L;
        foreach (var (amount, n) in new[] { (1000L, 1), (1700L, 2), (2400L, 3) })
        {
            var refund = await (await fx.Checkout.PostJson($"/api/purchases/{id}/refunds", new { amount }, $"sr-part-{n}")).Expect(HttpStatusCode.Created);
            reversed += refund.Long("reversed.total");
        }
        await fx.Stripe.Webhooks.DrainAsync();
        reversed.ShouldBe(351);
        RefundedAtStripe(intent).ShouldBe(5100);
        (await fx.PurchaseAsync(id)).Str("status").ShouldBe("refunded");

        var problem = await (await fx.Checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 1 }, "sr-part-4")).ExpectProblem(HttpStatusCode.Conflict, "status");
        problem.Str("detail").ShouldContain("refunded");
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task ARefundRetriedAfterStripeTimedOutRefundsOnceAndReplaysItsAnswer()
    {
        var (id, intent) = await fx.PaidAsync("SR-RETRY");
        fx.Stripe.FailNext(new Fault(Delay: TimeSpan.FromSeconds(3), AfterHandling: true, Path: "/v1/refunds"), times: 3);
        await (await fx.Checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 2550 }, "sr-retry")).ExpectProblem(HttpStatusCode.ServiceUnavailable);
        await fx.Stripe.Webhooks.DrainAsync(); // Stripe did refund; its webhook records it
        RefundedAtStripe(intent).ShouldBe(2550);

        var retried = await (await fx.Checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 2550 }, "sr-retry")).Expect(HttpStatusCode.Created);
        retried.Long("amount").ShouldBe(2550);
        RefundedAtStripe(intent).ShouldBe(2550); // Stripe answered the retry from its idempotency store
        var replay = await fx.Checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 2550 }, "sr-retry");
        replay.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
        (await replay.Expect(HttpStatusCode.Created)).Str("id").ShouldBe(retried.Str("id"));

        var purchase = await fx.PurchaseAsync(id);
        purchase.Long("refunded").ShouldBe(2550);
        purchase.Str("status").ShouldBe("partially_refunded");
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task ARefundMadeInStripesDashboardArrivesByWebhook()
    {
        var (id, intent) = await fx.PaidAsync("SR-DASH");
        fx.Stripe.State.Refund(intent, 5100, []);
        await fx.Stripe.Webhooks.DrainAsync();
        var purchase = await fx.PurchaseAsync(id);
        purchase.Str("status").ShouldBe("refunded");
        purchase.Long("reversed").ShouldBe(351);
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task StripeRefusingARefundIsA422NamingTheAmountAndNothingIsRecorded()
    {
        var (id, intent) = await fx.PaidAsync("SR-REFUSED");
        fx.Stripe.State.Refund(intent, 5000, []); // refunded in the dashboard; its webhook is on the way
        var problem = await (await fx.Checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 4000 }, "sr-refused-1"))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "amount");
        await fx.Stripe.Webhooks.DrainAsync();
        problem.Str("detail").ShouldNotBeNullOrEmpty();
        (await fx.PurchaseAsync(id)).Long("refunded").ShouldBe(5000);
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task RefundingWhatIsLeftWhileADashboardRefundIsUnheardRecordsWhatStripeGaveBack()
    {
        var (id, intent) = await fx.PaidAsync("SR-REST-UNHEARD");
        fx.Stripe.Webhooks.Mode = DeliveryMode.Hold;
        JsonNode rest;
        try
        {
            fx.Stripe.State.Refund(intent, 1000, []); // in the dashboard; its news is delayed
            rest = await (await fx.Checkout.PostJson($"/api/purchases/{id}/refunds", new { }, "sr-rest-unheard")).Expect(HttpStatusCode.Created);
        }
        finally
        {
            fx.Stripe.Webhooks.Mode = DeliveryMode.Immediate;
        }
        (rest.Long("amount"), rest.Long("purchase.refunded")).ShouldBe((4100L, 4100L)); // what Stripe gave back: all it had left
        await fx.Stripe.Webhooks.DeliverHeldAsync();
        var purchase = await fx.PurchaseAsync(id);
        (purchase.Str("status"), purchase.Long("refunded"), purchase.Long("reversed")).ShouldBe(("refunded", 5100L, 351L));
        await fx.InvariantsHoldAsync();
    }

    [Theory]
    [InlineData("failed")]
    [InlineData("canceled")]
    public async Task ARefundStripeAnswersAsFailedOrCanceledIsA422SayingSoAndNothingIsRecorded(string status)
    {
        var (id, intent) = await fx.PaidAsync($"SR-{status}-AT-ONCE");
        fx.Stripe.State.RefundsEndAtOnceAs = status;
        JsonNode problem;
        try
        {
            problem = await (await fx.Checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 2000 }, $"sr-{status}-1"))
                .ExpectProblem(HttpStatusCode.UnprocessableEntity, "amount");
        }
        finally
        {
            fx.Stripe.State.RefundsEndAtOnceAs = null;
        }
        await fx.Stripe.Webhooks.DrainAsync();
        var ended = fx.Stripe.State.Locked(_ => fx.Stripe.State.Refunds.Single(r => r.PaymentIntent == intent)).Id;
        problem.Str("detail").ShouldBe($"Stripe did not refund this payment (refund {ended} is {status}).");
        var purchase = await fx.PurchaseAsync(id);
        (purchase.Str("status"), purchase.Long("refunded"), purchase.Long("reversed")).ShouldBe(("confirmed", 0L, 0L));
        (await fx.App.WithDbAsync(db => db.Refunds.CountAsync(r => r.PurchaseId == Guid.Parse(id)))).ShouldBe(0);

        // The shopper can still be refunded once Stripe can.
        await (await fx.Checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 2000 }, $"sr-{status}-2")).Expect(HttpStatusCode.Created);
        (await fx.PurchaseAsync(id)).Long("refunded").ShouldBe(2000);
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task APurchasePaidOnCheckoutWithNoPaymentIntentToRefundIsA409SayingSo()
    {
        // A Checkout session can be paid with nothing for Stripe to refund (payment_status no_payment_required).
        var body = Seed.Purchase("SR-NO-INTENT", customerRef: null);
        body["payment"] = new { method = "stripe_checkout", successUrl = "https://shop.example/thanks", cancelUrl = "https://shop.example/cart" };
        var created = await (await fx.Checkout.PostJson("/api/purchases", body, "sr-no-intent")).Expect(HttpStatusCode.Created);
        var session = fx.Stripe.State.Locked(_ => fx.Stripe.State.Sessions[created.Str("payment.checkoutSessionId")]);
        session.Status = "complete";
        session.PaymentStatus = "no_payment_required";
        var completed = new EventObject
        {
            Id = "evt_sr_no_intent", ApiVersion = StripeDouble.StripeDouble.ApiVersion, Created = fx.App.Clock.GetUtcNow().ToUnixTimeSeconds(),
            Type = "checkout.session.completed", Data = new EventDataObject { Object = session },
        };
        (await fx.Stripe.Webhooks.SendAsync(completed)).ShouldBe(200);
        var purchase = await fx.PurchaseAsync(created.Str("id"));
        (purchase.Str("status"), purchase["payment"]!["paymentIntentId"]).ShouldBe(("confirmed", null));

        var problem = await (await fx.Checkout.PostJson($"/api/purchases/{created.Str("id")}/refunds", new { amount = 1000 }, "sr-no-intent-1"))
            .ExpectProblem(HttpStatusCode.Conflict, "status");
        problem.Str("detail").ShouldBe("This purchase has no Stripe payment to refund.");
        (await fx.PurchaseAsync(created.Str("id"))).Long("refunded").ShouldBe(0);
    }

    [Fact]
    public async Task AnOpenDisputeHoldsThePledgeAndAWonOneReleasesIt()
    {
        var before = await fx.TotalsAsync();
        var (id, intent) = await fx.PaidAsync("SR-WON");
        var dispute = fx.Stripe.State.OpenDispute(intent);
        await fx.Stripe.Webhooks.DrainAsync();
        var held = await fx.PurchaseAsync(id);
        held.Str("status").ShouldBe("disputed");
        held.Str("payment.disputeStatus").ShouldBe("needs_response");

        // A held pledge is not paid out to the charity; a paid one next to it is.
        var paid = await (await fx.Checkout.PostJson("/api/purchases", Seed.Purchase("SR-WON-EXT", customerRef: null), "sr-won-ext")).Expect(HttpStatusCode.Created);
        var finance = fx.App.Client(await fx.App.CreateKeyAsync("finance"));
        fx.App.Clock.Advance(TimeSpan.FromSeconds(1));
        var batch = await (await finance.PostJson("/api/remittances", new { charity = "read-together", currency = "usd", cutoffUtc = fx.App.Clock.GetUtcNow() }, "sr-won-batch"))
            .Expect(HttpStatusCode.Created);
        var statement = await (await finance.GetAsync($"/api/remittances/{batch.Str("id")}/statement?format=json")).Expect(HttpStatusCode.OK);
        var receipts = statement["lines"]!.AsArray().Select(l => l!.Str("receiptCode")).ToList();
        receipts.ShouldContain(paid.Str("receiptCode"));
        receipts.ShouldNotContain(held.Str("receiptCode"));
        await (await finance.DeleteAsync($"/api/remittances/{batch.Str("id")}")).Expect(HttpStatusCode.NoContent);

        fx.Stripe.State.CloseDispute(dispute.Id, won: true);
        await fx.Stripe.Webhooks.DrainAsync();
        (await fx.PurchaseAsync(id)).Str("status").ShouldBe("confirmed");
        (await fx.TotalsAsync()).Long("raised").ShouldBe(before.Long("raised") + 2 * 351);
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task ALostDisputeReversesWhatIsLeftOfTheDonation()
    {
        var before = await fx.TotalsAsync();
        var (id, intent) = await fx.PaidAsync("SR-LOST");
        await (await fx.Checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 1000 }, "sr-lost-1")).Expect(HttpStatusCode.Created);
        var dispute = fx.Stripe.State.OpenDispute(intent);
        fx.Stripe.State.CloseDispute(dispute.Id, won: false);
        await fx.Stripe.Webhooks.DrainAsync();

        var purchase = await fx.PurchaseAsync(id);
        purchase.Str("status").ShouldBe("refunded");
        purchase.Str("payment.disputeStatus").ShouldBe("lost");
        purchase.Long("reversed").ShouldBe(351);
        (await fx.TotalsAsync()).Long("raised").ShouldBe(before.Long("raised"));
        await fx.InvariantsHoldAsync();
    }
}
