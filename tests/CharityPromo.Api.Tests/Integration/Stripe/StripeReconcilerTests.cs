using System.Net;
using CharityPromo.Api.Payments;
using CharityPromo.StripeDouble;
using CharityPromo.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CharityPromo.Api.Tests.Integration.Stripe;

/// <summary>The reconciler ends what would otherwise stay open for ever, and never spends more than its budget of Stripe calls.</summary>
public class StripeReconcilerTests(StripeFixture fx) : IClassFixture<StripeFixture>
{
    private StripeReconciler Reconciler => fx.App.Services.GetRequiredService<StripeReconciler>();

    private async Task<string> StuckBeforeItsPaymentIntentAsync(string orderId, Fault fault)
    {
        fx.Stripe.FailNext(fault, times: 3);
        return (await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase(orderId), orderId))
            .ExpectProblem(HttpStatusCode.ServiceUnavailable)).Str("purchaseId");
    }

    [Fact]
    public async Task PurchasesStuckBeforeOrAfterTheirPaymentIntentAreResumedOrReleasedAndAbandonedOnesCancelledThroughStripe()
    {
        var before = await fx.TotalsAsync();
        // Stripe never got it (its edge was down): no PaymentIntent anywhere.
        var neverMade = await StuckBeforeItsPaymentIntentAsync("RC-NEVER", new Fault(503, Path: "/v1/payment_intents"));
        // Stripe made and charged it, then answered 500 for the key: we never learnt its id, and its events are lost too.
        fx.Stripe.Webhooks.Mode = DeliveryMode.Hold;
        var madeUnheard = await StuckBeforeItsPaymentIntentAsync("RC-UNHEARD", new Fault(500, AfterHandling: true, Path: "/v1/payment_intents"));
        fx.Stripe.Webhooks.DropHeld();
        fx.Stripe.Webhooks.Mode = DeliveryMode.Immediate;
        fx.Stripe.State.Locked(_ => fx.Stripe.State.Events.RemoveAll(e => e.Data.Object is PaymentIntentObject { Metadata: var m } && m.GetValueOrDefault("purchase_id") == madeUnheard));
        // A shopper who never finished paying.
        var abandoned = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("RC-ABANDONED", paymentMethod: null), "rc-abandoned"))
            .Expect(HttpStatusCode.Created);
        await fx.Stripe.Webhooks.DrainAsync();
        (await fx.TotalsAsync()).Long("pending").ShouldBe(before.Long("pending") + 3 * 351);

        fx.App.Clock.Advance(TimeSpan.FromMinutes(11));
        var first = await Reconciler.ReconcileOnceAsync(CancellationToken.None);
        first.PaymentsReread.ShouldBe(3);
        first.Released.ShouldBe(0);
        (await fx.PurchaseAsync(madeUnheard)).Str("status").ShouldBe("confirmed"); // found by our id in its metadata
        (await fx.PurchaseAsync(neverMade)).Str("status").ShouldBe("pending");
        (await fx.PurchaseAsync(abandoned.Str("id"))).Str("status").ShouldBe("pending");

        // Right after, nothing is due: an open purchase is visited again after as long as it has been open.
        (await Reconciler.ReconcileOnceAsync(CancellationToken.None)).PaymentsReread.ShouldBe(0);

        fx.App.Clock.Advance(TimeSpan.FromHours(24));
        var late = await Reconciler.ReconcileOnceAsync(CancellationToken.None);
        late.Released.ShouldBe(2);
        (await fx.PurchaseAsync(neverMade)).Str("status").ShouldBe("failed");
        var gone = await fx.PurchaseAsync(abandoned.Str("id"));
        gone.Str("status").ShouldBe("failed");
        gone.Str("payment.status").ShouldBe("canceled");
        fx.Stripe.State.Locked(_ => fx.Stripe.State.Intents[abandoned.Str("payment.paymentIntentId")].Status).ShouldBe("canceled");
        fx.Stripe.Requests.Single(r => r.Path.EndsWith("/cancel")).Body.ShouldContain("cancellation_reason=abandoned");
        // The cancellation's own event is on its way by webhook: until it lands, the next pass would replay it.
        await fx.Stripe.Webhooks.DrainAsync();

        var after = await fx.TotalsAsync();
        after.Long("pending").ShouldBe(before.Long("pending"));
        after.Long("raised").ShouldBe(before.Long("raised") + 351);
        (await Reconciler.ReconcileOnceAsync(CancellationToken.None)).ShouldBe(new StripeReconciler.Report(0, 0, 0, 1));

        // The checkout retrying a released purchase gets a clear answer, not a new PaymentIntent.
        var intents = fx.Stripe.IntentCount;
        (await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("RC-NEVER"), "RC-NEVER")).ExpectProblem(HttpStatusCode.Conflict, "payment"))
            .Str("detail").ShouldContain("new purchase");
        fx.Stripe.IntentCount.ShouldBe(intents);
        await fx.InvariantsHoldAsync();
    }
}

/// <summary>A pass never makes more Stripe calls than it may; what it leaves is first in line next time.</summary>
public sealed class StripeReconcilerBudgetTests : IAsyncLifetime
{
    private readonly StripeFixture _fx = new();

    public async Task InitializeAsync()
    {
        _fx.App.Settings["Stripe:ReconcileMaxCalls"] = "4";
        await _fx.InitializeAsync();
    }

    public Task DisposeAsync() => _fx.DisposeAsync();

    [Fact]
    public async Task EachPassStaysWithinItsBudgetUntilEveryOpenPurchaseIsVisited()
    {
        for (var i = 0; i < 7; i++)
            await (await _fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase($"RB-{i}", paymentMethod: null), $"rb-{i}")).Expect(HttpStatusCode.Created);
        _fx.App.Clock.Advance(TimeSpan.FromMinutes(11));
        var reconciler = _fx.App.Services.GetRequiredService<StripeReconciler>();

        var visited = 0;
        for (var pass = 0; pass < 3; pass++)
        {
            var requestsBefore = _fx.Stripe.Requests.Count;
            var report = await reconciler.ReconcileOnceAsync(CancellationToken.None);
            (_fx.Stripe.Requests.Count - requestsBefore).ShouldBe(report.StripeCalls);
            report.StripeCalls.ShouldBeLessThanOrEqualTo(4);
            visited += report.PaymentsReread;
        }
        visited.ShouldBe(7);
    }
}
