using System.Net;
using CharityPromo.StripeDouble;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Tests.Integration.Stripe;

/// <summary>
/// Each Stripe event is stored with what handling it did, which support reads when a shop asks why a payment is as it
/// is: what it changed, that it changed nothing, or that it was ignored and why. These follow a payment's events one
/// by one and read each event's outcome.
/// </summary>
public class StripeEventOutcomeTests(StripeFixture fx) : IClassFixture<StripeFixture>
{
    private int Mark() => fx.Stripe.State.Locked(_ => fx.Stripe.State.Events.Count);

    /// <summary>"type: outcome" of each event Stripe raised since <paramref name="mark"/>, in order, with the given ids named.</summary>
    private async Task<List<string>> OutcomesSinceAsync(int mark, params (string Id, string Name)[] names)
    {
        await fx.Stripe.Webhooks.DrainAsync();
        var events = fx.Stripe.State.Locked(_ => fx.Stripe.State.Events.Skip(mark).Select(e => (e.Id, e.Type)).ToList());
        return [.. (await OutcomesAsync(events.Select(e => e.Id).ToList(), names)).Zip(events, (outcome, e) => $"{e.Type}: {outcome}")];
    }

    private async Task<List<string>> OutcomesAsync(List<string> eventIds, params (string Id, string Name)[] names)
    {
        var stored = await fx.App.WithDbAsync(db => db.StripeEvents.AsNoTracking().Where(e => eventIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, e => e.Outcome));
        return [.. eventIds.Select(id => names.Aggregate(stored.GetValueOrDefault(id, "(not received)"), (text, n) => text.Replace(n.Id, n.Name)))];
    }

    /// <summary>Sends Stripe's news of <paramref name="type"/> about <paramref name="obj"/> as Stripe would, and answers its outcome.</summary>
    private async Task<string> SendAsync(string type, object obj, params (string Id, string Name)[] names)
    {
        var e = new EventObject
        {
            Id = $"evt_outcome_{Guid.NewGuid():N}", ApiVersion = StripeDouble.StripeDouble.ApiVersion, Created = fx.App.Clock.GetUtcNow().ToUnixTimeSeconds(),
            Type = type, Data = new EventDataObject { Object = obj },
        };
        (await fx.Stripe.Webhooks.SendAsync(e)).ShouldBe(200);
        return (await OutcomesAsync([e.Id], names)).Single();
    }

    private async Task<string> RefundAsync(string purchaseId, long amount, string key) =>
        (await (await fx.Checkout.PostJson($"/api/purchases/{purchaseId}/refunds", new { amount }, key)).Expect(HttpStatusCode.Created)).Str("id");

    [Fact]
    public async Task EachEventOfACardPaymentsLifeSaysWhatItChanged()
    {
        var mark = Mark();
        // Each step's events are delivered before the next step, in the order Stripe raised them.
        fx.Stripe.Webhooks.Mode = DeliveryMode.Hold;
        string id, intent, dashboard, settles, fails;
        try
        {
            (id, intent) = await fx.PaidAsync("EO-CARD");
            await fx.Stripe.Webhooks.DeliverHeldAsync();
            await RefundAsync(id, 1000, "eo-card-1");                         // through the API: recorded by the request
            await fx.Stripe.Webhooks.DeliverHeldAsync();
            dashboard = fx.Stripe.State.Refund(intent, 500, []).Id;           // in Stripe's dashboard: recorded from Stripe's news
            await fx.Stripe.Webhooks.DeliverHeldAsync();
            fx.Stripe.State.RefundsStartPending = true;
            await RefundAsync(id, 1000, "eo-card-2");
            await fx.Stripe.Webhooks.DeliverHeldAsync();
            await RefundAsync(id, 1000, "eo-card-3");
            await fx.Stripe.Webhooks.DeliverHeldAsync();
            fx.Stripe.State.RefundsStartPending = false;
            (settles, fails) = fx.Stripe.State.Locked(_ => (fx.Stripe.State.Refunds[^2].Id, fx.Stripe.State.Refunds[^1].Id));
            fx.Stripe.State.SettleRefund(settles, succeed: true);
            await fx.Stripe.Webhooks.DeliverHeldAsync();
            fx.Stripe.State.SettleRefund(fails, succeed: false);
            await fx.Stripe.Webhooks.DeliverHeldAsync();
            var dispute = fx.Stripe.State.OpenDispute(intent);
            await fx.Stripe.Webhooks.DeliverHeldAsync();
            fx.Stripe.State.SubmitEvidence(dispute.Id);
            await fx.Stripe.Webhooks.DeliverHeldAsync();
            fx.Stripe.State.CloseDispute(dispute.Id, won: false);
            await fx.Stripe.Webhooks.DeliverHeldAsync();
        }
        finally
        {
            fx.Stripe.State.RefundsStartPending = false;
            fx.Stripe.Webhooks.Mode = DeliveryMode.Immediate;
        }

        (await OutcomesSinceAsync(mark, (id, "P"), (dashboard, "D"), (settles, "S"), (fails, "F"))).ShouldBe(
        [
            "payment_intent.created: not handled",
            "charge.succeeded: not handled",
            "payment_intent.succeeded: purchase P is confirmed",
            "refund.created: not handled",
            "charge.refunded: 0 refund(s) recorded or updated on purchase P",
            "refund.created: not handled",
            "charge.refunded: 1 refund(s) recorded or updated on purchase P",
            "refund.created: not handled",
            "charge.refunded: 0 refund(s) recorded or updated on purchase P",
            "refund.created: not handled",
            "charge.refunded: 0 refund(s) recorded or updated on purchase P",
            "refund.updated: refund S is succeeded on purchase P",
            "charge.refund.updated: refund S (succeeded) changes nothing on purchase P",
            "refund.failed: refund F is failed on purchase P",
            "refund.updated: refund F (failed) changes nothing on purchase P",
            "charge.refund.updated: refund F (failed) changes nothing on purchase P",
            "charge.dispute.created: purchase P dispute needs_response",
            "charge.dispute.funds_withdrawn: purchase P dispute needs_response",
            "charge.dispute.updated: purchase P dispute under_review",
            "charge.dispute.closed: purchase P dispute lost",
        ]);
        // The refund made in the dashboard is on record under Stripe's id, as its reference.
        (await fx.App.WithDbAsync(db => db.Refunds.SingleAsync(r => r.StripeRefundId == dashboard))).Reference.ShouldBe($"stripe:{dashboard}");
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task ALateFailureOfAnAttemptLeavesAPaidPurchaseConfirmedAndSaysSo()
    {
        foreach (var reversed in new[] { false, true })
        {
            var body = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase($"EO-LATE-{reversed}", "pm_card_authenticationRequired"),
                $"eo-late-{reversed}")).Expect(HttpStatusCode.Created);
            var (id, intent) = (body.Str("id"), body.Str("payment.paymentIntentId"));
            await fx.Stripe.Webhooks.DrainAsync();
            fx.Stripe.Webhooks.Mode = DeliveryMode.Hold;
            try
            {
                fx.Stripe.State.CompleteAction(intent, succeed: false); // the shopper gave up on 3-D Secure…
                fx.Stripe.State.Confirm(intent, "pm_card_visa");        // …and paid with another card
                var held = fx.Stripe.Webhooks.Held.Select(e => e.Id).ToList();
                await fx.Stripe.Webhooks.DeliverHeldAsync(events => reversed ? events.Reverse() : events);
                (await OutcomesAsync(held, (id, "P"))).ShouldBe(
                [
                    reversed ? "purchase P is confirmed" : "purchase P is failed", // payment_intent.payment_failed
                    "not handled",                                                   // charge.succeeded
                    "purchase P is confirmed",                                       // payment_intent.succeeded
                ]);
            }
            finally
            {
                fx.Stripe.Webhooks.Mode = DeliveryMode.Immediate;
            }
            var purchase = await fx.PurchaseAsync(id);
            (purchase.Str("status"), purchase.Str("payment.status"), purchase["payment"]!["error"]).ShouldBe(("confirmed", "succeeded", null));
        }
    }

    [Fact]
    public async Task NewsThatContradictsACancelledPaymentIsIgnoredAndSaysWhy()
    {
        var body = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("EO-CANCELLED", paymentMethod: null), "eo-cancelled"))
            .Expect(HttpStatusCode.Created);
        var (id, intent) = (body.Str("id"), body.Str("payment.paymentIntentId"));
        var mark = Mark();
        fx.Stripe.State.Cancel(intent);
        (await OutcomesSinceAsync(mark, (id, "P"))).ShouldBe(["payment_intent.canceled: purchase P is failed"]);
        var totals = await fx.TotalsAsync();

        // Stray news that would need the payment to have succeeded: a cancelled PaymentIntent never can.
        var succeeded = fx.Stripe.State.Locked(_ => fx.Stripe.State.Intents[intent]);
        (await SendAsync("payment_intent.succeeded", succeeded, (id, "P")))
            .ShouldBe("ignored: purchase P was cancelled, so payment_intent.succeeded cannot apply to it");
        (await SendAsync("refund.updated", new RefundObject { Id = "re_outcome_stray", Amount = 1000, Currency = "usd", Charge = "ch_outcome_stray", PaymentIntent = intent },
            (id, "P"))).ShouldBe("refund re_outcome_stray (succeeded) changes nothing on purchase P");
        (await SendAsync("charge.dispute.created", new DisputeObject
        {
            Id = "dp_outcome_stray", Amount = 5100, Currency = "usd", Charge = "ch_outcome_stray", PaymentIntent = intent, Status = "needs_response",
        }, (id, "P"))).ShouldBe("ignored: purchase P was cancelled, so dispute dp_outcome_stray cannot apply to it");
        (await SendAsync("payment_intent.payment_failed", succeeded, (id, "P"))).ShouldBe("purchase P is failed"); // a late failure of an attempt

        var purchase = await fx.PurchaseAsync(id);
        (purchase.Str("status"), purchase.Str("payment.status"), purchase.Long("refunded"), purchase["payment"]!["disputeStatus"]).ShouldBe(("failed", "canceled", 0L, null));
        (await fx.TotalsAsync()).ToJsonString().ShouldBe(totals.ToJsonString());
        await fx.InvariantsHoldAsync();
    }

    private async Task<(string Id, string Session)> HostedAsync(string orderId)
    {
        var body = Seed.Purchase(orderId, customerRef: null);
        body["payment"] = new { method = "stripe_checkout", successUrl = "https://shop.example/thanks", cancelUrl = "https://shop.example/cart" };
        var created = await (await fx.Checkout.PostJson("/api/purchases", body, orderId)).Expect(HttpStatusCode.Created);
        await fx.Stripe.Webhooks.DrainAsync();
        return (created.Str("id"), created.Str("payment.checkoutSessionId"));
    }

    /// <summary>Runs <paramref name="act"/> with Stripe's news held, then delivers it in order: "type: outcome" of each event.</summary>
    private async Task<List<string>> HeldOutcomesAsync(Action act, params (string Id, string Name)[] names)
    {
        fx.Stripe.Webhooks.Mode = DeliveryMode.Hold;
        try
        {
            act();
        }
        finally
        {
            fx.Stripe.Webhooks.Mode = DeliveryMode.Immediate;
        }
        var held = fx.Stripe.Webhooks.Held.ToList();
        await fx.Stripe.Webhooks.DeliverHeldAsync();
        return [.. (await OutcomesAsync([.. held.Select(e => e.Id)], names)).Zip(held, (outcome, e) => $"{e.Type}: {outcome}")];
    }

    [Fact]
    public async Task ACheckoutSessionsNewsRecordsItsPaymentIntentAndSaysWhatItChanged()
    {
        var (id, session) = await HostedAsync("EO-HOSTED");
        fx.Stripe.Webhooks.Mode = DeliveryMode.Hold;
        try
        {
            fx.Stripe.State.PayOnPage(session);
        }
        finally
        {
            fx.Stripe.Webhooks.Mode = DeliveryMode.Immediate;
        }
        // A shop listening to Checkout's events alone: the session's news names the PaymentIntent that paid it.
        var held = fx.Stripe.Webhooks.Held.ToList();
        fx.Stripe.Webhooks.DropHeld();
        var completed = held.Single(e => e.Type == "checkout.session.completed");
        (await fx.Stripe.Webhooks.SendAsync(completed)).ShouldBe(200);
        (await OutcomesAsync([completed.Id], (id, "P"))).ShouldBe(["purchase P is confirmed"]);
        var intent = fx.Stripe.State.Locked(_ => fx.Stripe.State.Sessions[session].PaymentIntent!);
        (await fx.PurchaseAsync(id)).Str("payment.paymentIntentId").ShouldBe(intent);

        // The PaymentIntent's own news, later, finds the purchase by it.
        foreach (var e in held.Where(e => e != completed)) (await fx.Stripe.Webhooks.SendAsync(e)).ShouldBe(200);
        (await OutcomesAsync([.. held.Where(e => e != completed).Select(e => e.Id)], (id, "P"))).ShouldBe(
            ["not handled", "not handled", "purchase P is confirmed"]); // payment_intent.created, charge.succeeded, payment_intent.succeeded
    }

    [Fact]
    public async Task ADelayedPaymentsNewsSettlesItAndStaleNewsOfItFailingIsIgnored()
    {
        var (id, session) = await HostedAsync("EO-DELAYED");
        var names = new[] { (id, "P"), (session, "S") };
        (await HeldOutcomesAsync(() => fx.Stripe.State.PayOnPage(session, delayed: true), names)).ShouldBe(
            ["payment_intent.created: not handled", "payment_intent.processing: not handled", "checkout.session.completed: purchase P is pending"]);
        (await fx.PurchaseAsync(id)).Str("payment.status").ShouldBe("processing");
        var unpaid = fx.Stripe.State.Locked(_ => fx.Stripe.State.Events.Last(e => e.Type == "checkout.session.completed")).Data.Object;
        (await HeldOutcomesAsync(() => fx.Stripe.State.SettleDelayedPayment(session, succeed: true), names)).ShouldBe(
            ["charge.succeeded: not handled", "payment_intent.succeeded: purchase P is confirmed", "checkout.session.async_payment_succeeded: purchase P is confirmed"]);

        // News of the debit failing, or of it still settling, from before it settled, arrives late: a paid purchase stays paid.
        (await SendAsync("checkout.session.async_payment_failed", unpaid, names)).ShouldBe("ignored: session S is not purchase P's, or the purchase was cancelled");
        (await SendAsync("checkout.session.completed", unpaid, names)).ShouldBe("purchase P is confirmed");
        var purchase = await fx.PurchaseAsync(id);
        (purchase.Str("status"), purchase.Str("payment.status"), purchase["payment"]!["error"]).ShouldBe(("confirmed", "succeeded", null));
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task ASessionThatFailsOrExpiresReleasesThePledgeAndOneThatIsNotThePurchasesChangesNothing()
    {
        var (failing, failingSession) = await HostedAsync("EO-DEBIT-FAILS");
        fx.Stripe.State.PayOnPage(failingSession, delayed: true);
        (await HeldOutcomesAsync(() => fx.Stripe.State.SettleDelayedPayment(failingSession, succeed: false), (failing, "P"))).ShouldBe(
            ["payment_intent.payment_failed: purchase P is failed", "checkout.session.async_payment_failed: purchase P is failed"]);
        var failed = await fx.PurchaseAsync(failing);
        (failed.Str("status"), failed.Str("payment.status"), failed.Str("payment.error")).ShouldBe(("failed", "canceled", "The delayed payment failed."));

        var (expiring, session) = await HostedAsync("EO-EXPIRES");
        // An attempt without an answer left another session for the same purchase, never shown to the shopper.
        var stray = fx.Stripe.State.CreateSession([new CheckoutLine("Order EO-EXPIRES", 4999, 1, "usd")], "https://shop.example/thanks", null, expiring,
            new() { ["purchase_id"] = expiring }, new() { ["purchase_id"] = expiring }, null).Id;
        (await HeldOutcomesAsync(() => fx.Stripe.State.Expire(stray), (expiring, "P"), (stray, "S"))).ShouldBe(
            ["checkout.session.expired: ignored: session S is not purchase P's, or the purchase was cancelled"]);
        (await fx.PurchaseAsync(expiring)).Str("status").ShouldBe("pending");
        (await HeldOutcomesAsync(() => fx.Stripe.State.Expire(session), (expiring, "P"))).ShouldBe(["checkout.session.expired: purchase P is failed"]);
        (await fx.PurchaseAsync(expiring)).Str("payment.status").ShouldBe("canceled");
        // A session still open, as news from before it expired said: released for good, it stays released.
        var open = new CheckoutSessionObject
        {
            Id = session, Currency = "usd", SuccessUrl = "https://shop.example/thanks", Metadata = new() { ["purchase_id"] = expiring }, AmountTotal = 5100,
        };
        (await SendAsync("checkout.session.async_payment_succeeded", open, (expiring, "P"))).ShouldBe("purchase P is failed");
        (await fx.PurchaseAsync(expiring)).Str("payment.status").ShouldBe("canceled");
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task AFailedAttemptsNewsRecordsWhyInStripesWordsOrElseItsCode()
    {
        var body = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("EO-WHY", paymentMethod: null), "eo-why")).Expect(HttpStatusCode.Created);
        var (id, intent) = (body.Str("id"), body.Str("payment.paymentIntentId"));
        async Task<string> ErrorAfterAsync(object lastPaymentError)
        {
            (await SendAsync("payment_intent.payment_failed", new
            {
                id = intent, @object = "payment_intent", amount = 5100, currency = "usd", status = "requires_payment_method", last_payment_error = lastPaymentError,
            }, (id, "P"))).ShouldBe("purchase P is failed");
            return (await fx.PurchaseAsync(id)).Str("payment.error");
        }
        (await ErrorAfterAsync(new { type = "card_error", code = "card_declined", message = "Your card was declined." })).ShouldBe("Your card was declined.");
        (await ErrorAfterAsync(new { type = "card_error", code = "expired_card" })).ShouldBe("expired_card");
        (await ErrorAfterAsync(new { type = "card_error" })).ShouldBe("The payment failed.");
    }
}
