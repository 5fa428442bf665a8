using System.Net;
using System.Text.Json.Nodes;
using CharityPromo.StripeDouble;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Tests.Integration.Stripe;

/// <summary>
/// The reconciliation report, one cause at a time: every kind of difference between our records, our ledger, our
/// batches and Stripe, each with its detail and figures; a period from its first instant up to (not including) its
/// last; and per-currency totals that add each purchase, not the largest.
/// </summary>
public class StripeReconciliationDetailTests(StripeFixture fx) : IClassFixture<StripeFixture>
{
    private static readonly DateTimeOffset From = new(2026, 6, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = From.AddDays(1);

    /// <summary>A purchase, then a second passes: the report lists them in the order they were made.</summary>
    private async Task<JsonNode> BuyAsync(Dictionary<string, object?> body, string order, HttpStatusCode expect = HttpStatusCode.Created)
    {
        var answer = await (await fx.Checkout.PostJson("/api/purchases", body, order)).Expect(expect);
        fx.App.Clock.Advance(TimeSpan.FromSeconds(1));
        return answer;
    }

    private Task<JsonNode> StripeAsync(string order, long amount = 4999) => BuyAsync(StripeFixture.StripePurchase(order, amount: amount), order);

    /// <summary>Stripe's copy of the PaymentIntent, changed as a test needs it to differ from ours.</summary>
    private void ChangeIntent(string id, long? amount = null, string? currency = null, string? status = null) => fx.Stripe.State.Locked(_ =>
    {
        var was = fx.Stripe.State.Intents[id];
        fx.Stripe.State.Intents[id] = new PaymentIntentObject
        {
            Id = was.Id, Amount = amount ?? was.Amount, Currency = currency ?? was.Currency, Status = status ?? was.Status, ClientSecret = was.ClientSecret,
            PaymentMethod = was.PaymentMethod, LatestCharge = was.LatestCharge, Created = was.Created, Metadata = was.Metadata,
        };
        return 0;
    });

    [Fact]
    public async Task EachDifferenceHasItsCauseDetailAndFiguresAndTheTotalsAddEveryPurchase()
    {
        var finance = fx.App.Client(await fx.App.CreateKeyAsync("finance"));
        await fx.Admin.ConsentingCharityAsync("rd-charity", "Reconciled");
        await (await fx.Admin.PostJson("/api/campaigns", Seed.Campaign(slug: "rd-usd", charities: ["rd-charity"]))).Expect(HttpStatusCode.Created);
        await (await fx.Admin.PostJson("/api/campaigns", Seed.Campaign(slug: "rd-eur", currency: "eur", charities: ["rd-charity"]))).Expect(HttpStatusCode.Created);

        fx.App.Clock.Set(From.AddDays(-1));
        var before = await StripeAsync("RD-BEFORE");
        fx.App.Clock.Set(From); // the period's first instant is in it
        var atStart = await StripeAsync("RD-AT-FROM");
        fx.App.Clock.Set(From.AddHours(1));
        var amount = await StripeAsync("RD-AMOUNT");
        var currency = await StripeAsync("RD-CURRENCY");
        var canceled = await StripeAsync("RD-CANCELED");
        var gone = await StripeAsync("RD-GONE");
        var unreachable = await StripeAsync("RD-UNREACHABLE");
        var ledger = await StripeAsync("RD-LEDGER");
        var batched = await StripeAsync("RD-IN-BATCHES");
        var refundedOnce = await StripeAsync("RD-REFUND-1", amount: 2999);
        var refundedTwice = await StripeAsync("RD-REFUND-2", amount: 9999);
        var checkoutBody = Seed.Purchase("RD-CHECKOUT", customerRef: null);
        checkoutBody["payment"] = new { method = "stripe_checkout", successUrl = "https://shop.example/thanks", cancelUrl = "https://shop.example/cart" };
        var checkout = await BuyAsync(checkoutBody, "RD-CHECKOUT"); // nobody has paid on its page yet: nothing to compare
        var missed = await BuyAsync(StripeFixture.StripePurchase("RD-MISSED", paymentMethod: null), "RD-MISSED");
        fx.Stripe.FailNext(new Fault(500, Path: "/v1/payment_intents"), times: 3);
        var never = (await BuyAsync(StripeFixture.StripePurchase("RD-NEVER"), "RD-NEVER", HttpStatusCode.ServiceUnavailable)).Str("purchaseId");
        var overRemitted = await BuyAsync(Seed.Purchase("RD-OVER", 4999, campaign: "rd-usd", charity: "rd-charity", customerRef: null), "RD-OVER");
        var overRemitted2 = await BuyAsync(Seed.Purchase("RD-OVER-2", 2000, campaign: "rd-usd", charity: "rd-charity", customerRef: null), "RD-OVER-2");
        var euro = await BuyAsync(Seed.Purchase("RD-EUR", 3000, campaign: "rd-eur", charity: "rd-charity", currency: "eur", customerRef: null), "RD-EUR");
        await fx.Stripe.Webhooks.DrainAsync();
        fx.App.Clock.Set(To); // the period's end is not in it
        var atEnd = await StripeAsync("RD-AT-TO");
        await fx.Stripe.Webhooks.DrainAsync();

        // Differences, each made the way it happens (or as the stored data would show it).
        string Intent(JsonNode p) => p.Str("payment.paymentIntentId");
        ChangeIntent(Intent(amount), amount: 9999);
        ChangeIntent(Intent(currency), currency: "eur");
        ChangeIntent(Intent(canceled), status: "canceled");
        fx.Stripe.State.Locked(_ => fx.Stripe.State.Intents.Remove(Intent(gone)));
        fx.Stripe.Webhooks.Mode = DeliveryMode.Hold;
        fx.Stripe.State.Confirm(Intent(missed), "pm_card_visa");
        fx.Stripe.Webhooks.DropHeld();
        fx.Stripe.Webhooks.Mode = DeliveryMode.Immediate;
        await fx.App.WithDbAsync(db => db.Database.ExecuteSqlInterpolatedAsync(
            $"""UPDATE "Purchases" SET "Reversed" = 1 WHERE "Id" = {Guid.Parse(ledger.Str("id"))}"""));
        await fx.App.WithDbAsync(db => db.Database.ExecuteSqlInterpolatedAsync(
            $"""UPDATE "Purchases" SET "InBatches" = 5 WHERE "Id" = {Guid.Parse(batched.Str("id"))}"""));

        // Refunds of different sizes, at Stripe and here; and a batch paid before two of its pledges were refunded.
        await (await fx.Checkout.PostJson($"/api/purchases/{refundedOnce.Str("id")}/refunds", new { amount = 1000 }, "rd-refund-1")).Expect(HttpStatusCode.Created);
        fx.Stripe.State.RefundsStartPending = true; // one stays pending (it counts on both sides), one fails (it counts on neither)
        await (await fx.Checkout.PostJson($"/api/purchases/{refundedTwice.Str("id")}/refunds", new { amount = 3000 }, "rd-refund-2a")).Expect(HttpStatusCode.Created);
        await (await fx.Checkout.PostJson($"/api/purchases/{refundedTwice.Str("id")}/refunds", new { amount = 500 }, "rd-refund-2b")).Expect(HttpStatusCode.Created);
        fx.Stripe.State.RefundsStartPending = false;
        var refunds = fx.Stripe.State.Locked(_ => fx.Stripe.State.Refunds.Where(r => r.PaymentIntent == Intent(refundedTwice)).ToList());
        fx.Stripe.State.SettleRefund(refunds.Single(r => r.Amount == 500).Id, succeed: false);
        await fx.Stripe.Webhooks.DrainAsync();
        var batch = await (await finance.PostJson("/api/remittances", new { charity = "rd-charity", currency = "usd", cutoffUtc = From.AddHours(2) })).Expect(HttpStatusCode.Created);
        batch.Long("amount").ShouldBe(351 + 200);
        await (await finance.PostJson($"/api/remittances/{batch.Str("id")}/paid", new { reference = "BACS-RD" })).Expect(HttpStatusCode.OK);
        await (await fx.Checkout.PostJson($"/api/purchases/{overRemitted.Str("id")}/refunds", new { }, "rd-over")).Expect(HttpStatusCode.Created);
        await (await fx.Checkout.PostJson($"/api/purchases/{overRemitted2.Str("id")}/refunds", new { amount = 1050 }, "rd-over-2")).Expect(HttpStatusCode.Created);
        fx.Stripe.FailNext(new Fault(500, ShouldRetry: false, Method: "GET", Path: $"/v1/payment_intents/{Intent(unreachable)}"));

        var report = await (await finance.GetAsync(
            $"/api/reports/reconciliation?from={Uri.EscapeDataString(From.ToString("O"))}&to={Uri.EscapeDataString(To.ToString("O"))}")).Expect(HttpStatusCode.OK);

        (report.Str("fromUtc"), report.Str("toUtc")).ShouldBe((From.UtcDateTime.ToString("O"), To.UtcDateTime.ToString("O")));
        var inPeriod = new[] { atStart, amount, currency, canceled, gone, unreachable, ledger, batched, refundedOnce, refundedTwice, checkout, missed, overRemitted, overRemitted2, euro };
        report.Long("purchasesChecked").ShouldBe(inPeriod.Length + 1); // and the one Stripe never answered
        report.Long("stripePaymentsChecked").ShouldBe(11); // every Stripe purchase with a PaymentIntent
        var ids = inPeriod.Select(p => p.Str("id")).Append(never).ToHashSet();
        ids.ShouldNotContain(before.Str("id"));
        ids.ShouldNotContain(atEnd.Str("id"));

        var found = report["mismatches"]!.AsArray().Select(m => m!)
            .Select(m => (Id: m.Str("purchaseId"), Cause: m.Str("cause"), Detail: m.Str("detail"), Ours: m["ours"]?.GetValue<long>(), Stripe: m["stripe"]?.GetValue<long>()))
            .ToList();
        found.ShouldBe(new[] // in the order the purchases were made
        {
            (amount.Str("id"), "amount_mismatch", "Stripe's PaymentIntent is for 9999 usd.", (long?)5100, (long?)9999),
            (currency.Str("id"), "amount_mismatch", "Stripe's PaymentIntent is for 5100 eur.", 5100, 5100),
            (canceled.Str("id"), "payment_not_succeeded", "The purchase is confirmed but Stripe's PaymentIntent is canceled.", 5100, 0),
            (gone.Str("id"), "payment_intent_missing", "Stripe has no such PaymentIntent.", 5100, null),
            (unreachable.Str("id"), "stripe_unreachable", "Stripe could not be asked; run the report again.", 5100, null),
            (ledger.Str("id"), "ledger_mismatch", "The purchase's net pledge differs from its ledger entries.", 350, null),
            (batched.Str("id"), "remittance_mismatch", "Remitted per purchase, per ledger and per remittance lines differ.", 5, null),
            (missed.Str("id"), "payment_not_recorded",
                "Stripe took the payment but the purchase is not confirmed (a webhook was missed; the reconciler will confirm it).", 0, 5100),
            (never, "no_payment_intent", "No PaymentIntent is recorded for it (Stripe failed, or the server stopped, before one was): the reconciler looks for one by the purchase's id and releases the purchase if none is paid.", 5100, null),
            (overRemitted.Str("id"), "remitted_more_than_net", "Reversed after it was remitted: the difference carries forward as a negative line in the next batch.", 351, 0),
            (overRemitted2.Str("id"), "remitted_more_than_net", "Reversed after it was remitted: the difference carries forward as a negative line in the next batch.", 200, 100),
        });

        var totals = report["totals"]!.AsArray().Select(t => t!).ToList();
        totals.Select(t => t.Str("currency")).ShouldBe(["eur", "usd"]);
        var eur = totals[0];
        (eur.Long("purchases"), eur.Long("pledged"), eur.Long("net"), eur.Long("outstanding"), eur.Long("paid")).ShouldBe((1L, 250L, 250L, 250L, 3100L));
        var usd = totals[1];
        var paidUsd = inPeriod.Where(p => p.Str("currency") == "usd" && p.Str("id") != missed.Str("id") && p.Str("id") != checkout.Str("id")).ToList();
        usd.Long("purchases").ShouldBe(15); // the period's usd purchases, paid or not
        usd.Long("pledged").ShouldBe(paidUsd.Sum(p => p.Long("donation.total")));
        usd.Long("paid").ShouldBe(paidUsd.Sum(p => p.Long("payment.amount")));
        usd.Long("shopperDonations").ShouldBe(paidUsd.Sum(p => p.Long("donation.roundUp") + p.Long("donation.addOn")));
        var reversed = (await Task.WhenAll(paidUsd.Select(p => fx.PurchaseAsync(p.Str("id"))))).Sum(p => p.Long("reversed"));
        reversed.ShouldBeGreaterThan(351 + 100 + 1); // several purchases, each reversing a different amount
        usd.Long("reversed").ShouldBe(reversed);
        usd.Long("net").ShouldBe(usd.Long("pledged") - reversed);
        usd.Long("remitted").ShouldBe(5 + 351 + 200);
        usd.Long("outstanding").ShouldBe(usd.Long("net") - usd.Long("remitted"));
        usd.Long("refunded").ShouldBe(1000 + 3000 + 5100 + 1050);
        usd.Long("stripeRefunded").ShouldBe(1000 + 3000);
        // Succeeded at Stripe, as Stripe says: all but the canceled one and the two Stripe did not answer for; the missed one included.
        usd.Long("stripeCharged").ShouldBe(5100 + 9999 + 5100 + 5100 + 5100 + 3100 + 10100 + 5100);
    }
}
