using System.Net;
using System.Text;
using System.Text.Json;
using CharityPromo.Api.Payments;
using CharityPromo.StripeDouble;
using CharityPromo.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CharityPromo.Api.Tests.Integration.Stripe;

public class StripeWebhookTests(StripeFixture fx) : IClassFixture<StripeFixture>
{
    private async Task<(string PurchaseId, string IntentId)> PendingAsync(string orderId)
    {
        var body = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase(orderId, paymentMethod: null), orderId)).Expect(HttpStatusCode.Created);
        return (body.Str("id"), body.Str("payment.paymentIntentId"));
    }

    /// <summary>Confirms in the double with webhooks held, and returns the events Stripe would have sent.</summary>
    private async Task<List<EventObject>> HeldEventsOfAsync(Action act)
    {
        fx.Stripe.Webhooks.Mode = DeliveryMode.Hold;
        try
        {
            act();
            return [.. fx.Stripe.Webhooks.Held];
        }
        finally
        {
            fx.Stripe.Webhooks.DropHeld();
            fx.Stripe.Webhooks.Mode = DeliveryMode.Immediate;
            await Task.CompletedTask;
        }
    }

    private async Task<HttpResponseMessage> PostEventAsync(EventObject e, string signature)
    {
        var body = JsonSerializer.Serialize(e, StripeDouble.StripeDouble.Json);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/stripe/webhook") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
        return await fx.App.Client().SendAsync(request);
    }

    private string SignatureWith(EventObject e, string secret, DateTimeOffset? at = null)
    {
        var webhooks = new CharityPromo.StripeDouble.Webhooks(new HttpClient(), fx.App.Clock);
        webhooks.Secrets.Add(secret);
        return webhooks.Sign(JsonSerializer.Serialize(e, StripeDouble.StripeDouble.Json), at ?? fx.App.Clock.GetUtcNow());
    }

    [Fact]
    public async Task ATamperedBodyABadSignatureOrAStaleTimestampIsA400AndChangesNothing()
    {
        var (purchaseId, intentId) = await PendingAsync("WH-SIG");
        var succeeded = (await HeldEventsOfAsync(() => fx.Stripe.State.Confirm(intentId, "pm_card_visa"))).Single(e => e.Type == "payment_intent.succeeded");
        var good = SignatureWith(succeeded, StripeFixture.WebhookSecret);

        var tampered = JsonSerializer.Serialize(succeeded, StripeDouble.StripeDouble.Json).Replace("\"amount\":5100", "\"amount\":1");
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/stripe/webhook") { Content = new StringContent(tampered, Encoding.UTF8, "application/json") })
        {
            request.Headers.TryAddWithoutValidation("Stripe-Signature", good);
            (await (await fx.App.Client().SendAsync(request)).ExpectProblem(HttpStatusCode.BadRequest)).Str("detail").ShouldContain("expected signature was not found");
        }
        await (await PostEventAsync(succeeded, SignatureWith(succeeded, "whsec_someone_else"))).ExpectProblem(HttpStatusCode.BadRequest);
        await (await PostEventAsync(succeeded, "")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await PostEventAsync(succeeded, "t=notanumber,v1=abc")).ExpectProblem(HttpStatusCode.BadRequest);
        var stale = await (await PostEventAsync(succeeded, SignatureWith(succeeded, StripeFixture.WebhookSecret, fx.App.Clock.GetUtcNow().AddSeconds(-301))))
            .ExpectProblem(HttpStatusCode.BadRequest);
        stale.Str("detail").ShouldContain("tolerance");
        await (await PostEventAsync(succeeded, SignatureWith(succeeded, StripeFixture.WebhookSecret, fx.App.Clock.GetUtcNow().AddSeconds(301))))
            .ExpectProblem(HttpStatusCode.BadRequest);
        (await fx.PurchaseAsync(purchaseId)).Str("status").ShouldBe("pending");

        // Within the tolerance, and signed: accepted.
        (await (await PostEventAsync(succeeded, SignatureWith(succeeded, StripeFixture.WebhookSecret, fx.App.Clock.GetUtcNow().AddSeconds(-299))))
            .Expect(HttpStatusCode.OK))["duplicate"]!.GetValue<bool>().ShouldBeFalse();
        (await fx.PurchaseAsync(purchaseId)).Str("status").ShouldBe("confirmed");
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task EveryAcceptedSecretVerifiesAndAHeaderWithSeveralSignaturesPassesIfOneMatches()
    {
        var (purchaseId, intentId) = await PendingAsync("WH-ROTATE");
        var events = await HeldEventsOfAsync(() => fx.Stripe.State.Confirm(intentId, "pm_card_visa"));
        var charge = events.Single(e => e.Type == "charge.succeeded");
        var succeeded = events.Single(e => e.Type == "payment_intent.succeeded");

        // Signed with the secret being rotated out: still accepted.
        await (await PostEventAsync(charge, SignatureWith(charge, StripeFixture.RotatedOutSecret))).Expect(HttpStatusCode.OK);
        // One unknown signature next to a good one, as Stripe sends while a secret is rolled.
        var mixed = SignatureWith(succeeded, "whsec_unknown") + "," + SignatureWith(succeeded, StripeFixture.WebhookSecret).Split(',')[1];
        await (await PostEventAsync(succeeded, mixed)).Expect(HttpStatusCode.OK);
        (await fx.PurchaseAsync(purchaseId)).Str("status").ShouldBe("confirmed");
    }

    [Fact]
    public async Task ARedeliveredEventIsAcknowledgedAndCountedOnce()
    {
        var before = await fx.TotalsAsync();
        var (purchaseId, intentId) = await PendingAsync("WH-DUP");
        var succeeded = (await HeldEventsOfAsync(() => fx.Stripe.State.Confirm(intentId, "pm_card_visa"))).Single(e => e.Type == "payment_intent.succeeded");
        var signature = SignatureWith(succeeded, StripeFixture.WebhookSecret);

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PostEventAsync(succeeded, signature)));
        var duplicates = 0;
        foreach (var answer in answers)
            if ((await answer.Expect(HttpStatusCode.OK))["duplicate"]!.GetValue<bool>()) duplicates++;
        duplicates.ShouldBe(5);

        (await fx.PurchaseAsync(purchaseId)).Str("status").ShouldBe("confirmed");
        (await fx.TotalsAsync()).Long("raised").ShouldBe(before.Long("raised") + 351);
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task EventsDeliveredDuplicatedAndInAnyOrderEndInTheSameState()
    {
        var before = await fx.TotalsAsync();
        var finals = new List<string>();
        for (var seed = 0; seed < 4; seed++)
        {
            fx.Stripe.Webhooks.Mode = DeliveryMode.Hold;
            var (purchaseId, intentId) = await PendingAsync($"WH-ORDER-{seed}");
            fx.Stripe.Webhooks.DropHeld();
            Should.Throw<StripeErrorException>(() => fx.Stripe.State.Confirm(intentId, "pm_card_chargeDeclined"));
            fx.Stripe.State.Confirm(intentId, "pm_card_visa");
            fx.Stripe.State.Refund(intentId, 1000, []);
            var dispute = fx.Stripe.State.OpenDispute(intentId);
            fx.Stripe.State.CloseDispute(dispute.Id, won: true);
            var random = new Random(seed);
            await fx.Stripe.Webhooks.DeliverHeldAsync(held => seed == 0 ? held.Reverse() : held.OrderBy(_ => random.Next()), times: 2);
            fx.Stripe.Webhooks.Mode = DeliveryMode.Immediate;
            fx.Stripe.Webhooks.Deliveries.Where(d => d.Status != 200).ShouldBeEmpty();

            var purchase = await fx.PurchaseAsync(purchaseId);
            finals.Add($"{purchase.Str("status")} refunded={purchase.Long("refunded")} reversed={purchase.Long("reversed")} dispute={purchase.Str("payment.disputeStatus")}");
        }
        finals.Distinct().ShouldBe(["partially_refunded refunded=1000 reversed=69 dispute=won"]);
        var after = await fx.TotalsAsync();
        after.Long("raised").ShouldBe(before.Long("raised") + 4 * (351 - 69));
        after.Long("pending").ShouldBe(before.Long("pending"));
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task UnknownEventTypesAndEventsForOtherPaymentsAreAcknowledged()
    {
        var (_, intentId) = await PendingAsync("WH-OTHER");
        var customer = new EventObject
        {
            Id = "evt_customer_created_1", ApiVersion = StripeDouble.StripeDouble.ApiVersion, Created = fx.App.Clock.GetUtcNow().ToUnixTimeSeconds(),
            Type = "customer.created", Data = new EventDataObject { Object = new { id = "cus_1", @object = "customer" } },
        };
        (await (await PostEventAsync(customer, SignatureWith(customer, StripeFixture.WebhookSecret))).Expect(HttpStatusCode.OK)).Str("outcome").ShouldBe("not handled");

        var foreign = fx.Stripe.State.CreateIntent(2000, "usd", [], "another integration", "pm_card_visa", confirm: true);
        await fx.Stripe.Webhooks.DrainAsync();
        fx.Stripe.Webhooks.Deliveries.Where(d => d.Status != 200).ShouldBeEmpty();
        var succeeded = fx.Stripe.State.Locked(_ => fx.Stripe.State.Events.Last(e => e.Type == "payment_intent.succeeded"));
        (await (await PostEventAsync(succeeded, SignatureWith(succeeded, StripeFixture.WebhookSecret))).Expect(HttpStatusCode.OK))["duplicate"]!.GetValue<bool>().ShouldBeTrue();
        intentId.ShouldNotBe(foreign.Id);
    }

    [Fact]
    public async Task EventsLargerThanTheApisBodyLimitAreStillReceivedUpToHalfAMegabyte()
    {
        EventObject Sized(int bytes) => new()
        {
            Id = $"evt_large_{bytes}", ApiVersion = StripeDouble.StripeDouble.ApiVersion, Created = fx.App.Clock.GetUtcNow().ToUnixTimeSeconds(),
            Type = "customer.updated", Data = new EventDataObject { Object = new { id = "cus_large", description = new string('x', bytes) } },
        };
        var large = Sized(200 * 1024);
        (await (await PostEventAsync(large, SignatureWith(large, StripeFixture.WebhookSecret))).Expect(HttpStatusCode.OK)).Str("outcome").ShouldBe("not handled");
        var huge = Sized(600 * 1024);
        (await PostEventAsync(huge, SignatureWith(huge, StripeFixture.WebhookSecret))).StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task TheReconcilerRecoversADroppedWebhookAndAPaymentWhoseEventsAreGone()
    {
        var before = await fx.TotalsAsync();
        var (dropped, droppedIntent) = await PendingAsync("WH-LOST");
        var (stuck, stuckIntent) = await PendingAsync("WH-STUCK");
        await HeldEventsOfAsync(() =>
        {
            fx.Stripe.State.Confirm(droppedIntent, "pm_card_visa");
            fx.Stripe.State.Confirm(stuckIntent, "pm_card_visa");
        });
        (await fx.PurchaseAsync(dropped)).Str("status").ShouldBe("pending");

        // Events older than the replay window are out of reach: only re-reading the intent can help that one.
        var stuckEvents = fx.Stripe.State.Locked(_ => fx.Stripe.State.Events.Where(e => e.Type.StartsWith("payment_intent") && e.Data.Object is PaymentIntentObject p && p.Id == stuckIntent).ToList());
        fx.Stripe.State.Locked(_ => fx.Stripe.State.Events.RemoveAll(stuckEvents.Contains));

        fx.App.Clock.Advance(TimeSpan.FromMinutes(11));
        var reconciler = fx.App.Services.GetRequiredService<StripeReconciler>();
        var report = await reconciler.ReconcileOnceAsync(CancellationToken.None);
        report.EventsReplayed.ShouldBeGreaterThanOrEqualTo(1);
        report.PaymentsReread.ShouldBe(1);
        (await fx.PurchaseAsync(dropped)).Str("status").ShouldBe("confirmed");
        (await fx.PurchaseAsync(stuck)).Str("status").ShouldBe("confirmed");
        (await fx.TotalsAsync()).Long("raised").ShouldBe(before.Long("raised") + 2 * 351);

        // Running again finds nothing left to do.
        var again = await reconciler.ReconcileOnceAsync(CancellationToken.None);
        again.ShouldBe(new StripeReconciler.Report(0, 0, 0, StripeCalls: 1)); // the event list only
        await fx.InvariantsHoldAsync();
    }
}
