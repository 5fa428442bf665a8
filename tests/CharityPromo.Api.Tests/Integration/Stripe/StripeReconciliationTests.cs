using System.Net;
using CharityPromo.Api.Payments;
using CharityPromo.StripeDouble;
using CharityPromo.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CharityPromo.Api.Tests.Integration.Stripe;

public class StripeReconciliationTests(StripeFixture fx) : IClassFixture<StripeFixture>
{
    [Fact]
    public async Task TheReportListsEachDifferenceWithItsCauseAndTheTotalsTieOut()
    {
        var finance = fx.App.Client(await fx.App.CreateKeyAsync("finance"));
        async Task<string> Buy(string order, string? card = "pm_card_visa") =>
            (await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase(order, card), order)).Expect(HttpStatusCode.Created)).Str("id");

        var clean = await Buy("RC-CLEAN");
        var missed = await Buy("RC-MISSED", card: null);
        var refundedAtStripe = await Buy("RC-REFUND");
        await fx.Stripe.Webhooks.DrainAsync();
        var external = (await (await fx.Checkout.PostJson("/api/purchases", Seed.Purchase("RC-EXT", customerRef: null), "rc-ext")).Expect(HttpStatusCode.Created)).Str("id");
        fx.Stripe.FailNext(new Fault(500, Path: "/v1/payment_intents"), times: 3);
        var never = (await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("RC-NEVER"), "rc-never")).ExpectProblem(HttpStatusCode.ServiceUnavailable)).Str("purchaseId");

        // Two webhooks lost on the way.
        fx.Stripe.Webhooks.Mode = DeliveryMode.Hold;
        fx.Stripe.State.Confirm((await fx.PurchaseAsync(missed)).Str("payment.paymentIntentId"), "pm_card_visa");
        fx.Stripe.State.Refund((await fx.PurchaseAsync(refundedAtStripe)).Str("payment.paymentIntentId"), 1000, []);
        fx.Stripe.Webhooks.DropHeld();
        fx.Stripe.Webhooks.Mode = DeliveryMode.Immediate;

        var report = await (await finance.GetAsync("/api/reports/reconciliation?from=2026-05-01T00:00:00Z&to=2026-07-01T00:00:00Z")).Expect(HttpStatusCode.OK);
        report.Long("purchasesChecked").ShouldBe(5);
        report.Long("stripePaymentsChecked").ShouldBe(3);
        var causes = report["mismatches"]!.AsArray().Select(m => $"{m!.Str("purchaseId")}:{m!.Str("cause")}").Order().ToList();
        causes.ShouldBe(new[] { $"{missed}:payment_not_recorded", $"{refundedAtStripe}:refund_mismatch", $"{never}:no_payment_intent" }.Order().ToList());
        var refundLine = report["mismatches"]!.AsArray().Single(m => m!["cause"]!.GetValue<string>() == "refund_mismatch")!;
        refundLine.Str("detail").ShouldBe("Refunds per Stripe and per our records differ (a refund webhook was missed or is on its way).");
        (refundLine.Long("ours"), refundLine.Long("stripe")).ShouldBe((0, 1000));

        var usd = report["totals"]!.AsArray().Single()!;
        usd.Long("purchases").ShouldBe(5);
        usd.Long("pledged").ShouldBe(3 * 351); // clean, refunded-at-Stripe and external are paid per our records
        usd.Long("shopperDonations").ShouldBe(3 * 101);
        usd.Long("paid").ShouldBe(3 * 5100);
        usd.Long("stripeCharged").ShouldBe(3 * 5100); // clean, missed and refunded-at-Stripe succeeded at Stripe
        usd.Long("stripeRefunded").ShouldBe(1000);
        usd.Long("refunded").ShouldBe(0);
        usd.Long("net").ShouldBe(usd.Long("remitted") + usd.Long("outstanding"));
        clean.ShouldNotBe(external);

        // The mismatches as a spreadsheet.
        var csv = await finance.GetAsync("/api/reports/reconciliation?from=2026-05-01T00:00:00Z&to=2026-07-01T00:00:00Z&format=csv");
        csv.StatusCode.ShouldBe(HttpStatusCode.OK);
        csv.Content.Headers.ContentDisposition!.FileName!.Trim('"').ShouldBe("reconciliation_20260501-20260701.csv");
        var lines = (await csv.Content.ReadAsStringAsync()).TrimStart('\uFEFF').TrimEnd().Split("\r\n");
        lines[0].ShouldBe("purchaseId,orderId,currency,paymentIntentId,cause,detail,ours,stripe");
        lines.Length.ShouldBe(4);

        // The reconciler recovers what the webhooks lost; what Stripe never saw stays listed.
        fx.App.Clock.Advance(TimeSpan.FromMinutes(11));
        await fx.App.Services.GetRequiredService<StripeReconciler>().ReconcileOnceAsync(CancellationToken.None);
        var after = await (await finance.GetAsync("/api/reports/reconciliation?from=2026-05-01T00:00:00Z&to=2026-07-01T00:00:00Z")).Expect(HttpStatusCode.OK);
        after["mismatches"]!.AsArray().Select(m => m!.Str("cause")).ShouldBe(["no_payment_intent"]);
        var usdAfter = after["totals"]!.AsArray().Single()!;
        usdAfter.Long("refunded").ShouldBe(usdAfter.Long("stripeRefunded"));
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task OnlyFinanceReadsItAndBadPeriodsAreNamed()
    {
        await (await fx.Checkout.GetAsync("/api/reports/reconciliation")).ExpectProblem(HttpStatusCode.Forbidden);
        var finance = fx.App.Client(await fx.App.CreateKeyAsync("finance"));
        await (await finance.GetAsync("/api/reports/reconciliation?from=2026-07-01T00:00:00Z&to=2026-06-01T00:00:00Z")).ExpectProblem(HttpStatusCode.BadRequest, "to");
        await (await finance.GetAsync("/api/reports/reconciliation?format=xml")).ExpectProblem(HttpStatusCode.BadRequest, "format");
    }
}
