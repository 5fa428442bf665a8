using System.Net;
using System.Text.Json.Nodes;
using CharityPromo.Api.Tests.Integration.Stripe;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration.Webhooks;

/// <summary>The Stripe test double's news (payments, declines, disputes) reaches integrators as our own signed events.</summary>
public sealed class StripeEventWebhookFixture : IAsyncLifetime
{
    public StripeFixture Stripe { get; } = new();
    public WebhookReceiver Receiver { get; private set; } = null!;
    public string Secret { get; private set; } = "";

    public async Task InitializeAsync()
    {
        WebhookSettings.Apply(Stripe.App);
        await Stripe.InitializeAsync();
        Receiver = await WebhookReceiver.StartAsync();
        var created = await (await Stripe.Admin.PostJson("/api/webhook-endpoints", new { url = Receiver.Url, events = new[] { "*" } })).Expect(HttpStatusCode.Created);
        Secret = created.Str("secret");
    }

    public async Task DisposeAsync()
    {
        await Receiver.DisposeAsync();
        await Stripe.DisposeAsync();
    }
}

public class StripeEventWebhookTests(StripeEventWebhookFixture fx) : IClassFixture<StripeEventWebhookFixture>
{
    private async Task<WebhookReceiver.Received> EventAsync(string type, string purchaseId)
    {
        var received = await fx.Receiver.WaitForAsync(r => r.Type == type && r.Json["data"]!["object"]!.Str("id") == purchaseId);
        received.VerifiedBy(fx.Secret).ShouldBe(1);
        return received;
    }

    private async Task ObjectIsWhatGetReturnsAsync(WebhookReceiver.Received received, string purchaseId)
    {
        var got = await fx.Stripe.PurchaseAsync(purchaseId);
        JsonNode.DeepEquals(received.Json["data"]!["object"], got).ShouldBeTrue($"{received.Json["data"]!["object"]!.ToJsonString()}\n{got.ToJsonString()}");
    }

    [Fact]
    public async Task APaymentStripeConfirmsSendsPurchaseConfirmedOnce()
    {
        var (id, _) = await fx.Stripe.PaidAsync("WH-ST-PAID");
        var confirmed = await EventAsync("purchase.confirmed", id);
        confirmed.Json["data"]!["object"]!.Str("status").ShouldBe("confirmed");
        await ObjectIsWhatGetReturnsAsync(confirmed, id);
        await fx.Stripe.Stripe.Webhooks.DrainAsync();
        await Task.Delay(300);
        fx.Receiver.Requests.Count(r => r.Type == "purchase.confirmed" && r.Body.Contains(id, StringComparison.Ordinal)).ShouldBe(1);
    }

    [Fact]
    public async Task ADeclinedCardSendsPurchaseFailedAndALaterSuccessPurchaseConfirmed()
    {
        var response = await fx.Stripe.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("WH-ST-DECLINED", "pm_card_chargeDeclined"), "wh-st-declined");
        var problem = await response.ExpectProblem(HttpStatusCode.PaymentRequired);
        var id = problem.Str("purchaseId");
        await fx.Stripe.Stripe.Webhooks.DrainAsync();
        var failed = await EventAsync("purchase.failed", id);
        failed.Json["data"]!["object"]!.Str("payment.error").ShouldBe("Your card was declined.");
        await ObjectIsWhatGetReturnsAsync(failed, id);

        fx.Stripe.Stripe.State.Confirm(problem.Str("paymentIntentId"), "pm_card_visa");
        await fx.Stripe.Stripe.Webhooks.DrainAsync();
        (await EventAsync("purchase.confirmed", id)).Json["data"]!["object"]!.Str("status").ShouldBe("confirmed");
    }

    [Fact]
    public async Task ADisputeSendsDisputedWhenItOpensAndDisputeClosedWhenItIsLost()
    {
        var (id, intent) = await fx.Stripe.PaidAsync("WH-ST-DISPUTE");
        var dispute = fx.Stripe.Stripe.State.OpenDispute(intent, amount: 2550);
        await fx.Stripe.Stripe.Webhooks.DrainAsync();
        var disputed = await EventAsync("purchase.disputed", id);
        disputed.Json["data"]!["object"]!.Str("status").ShouldBe("disputed");

        fx.Stripe.Stripe.State.CloseDispute(dispute.Id, won: false);
        await fx.Stripe.Stripe.Webhooks.DrainAsync();
        var closed = await EventAsync("purchase.dispute_closed", id);
        closed.Json["data"]!["object"]!.Str("payment.disputeStatus").ShouldBe("lost");
        await ObjectIsWhatGetReturnsAsync(closed, id);
        await Task.Delay(300);
        fx.Receiver.Requests.Count(r => r.Type == "purchase.disputed" && r.Body.Contains(id, StringComparison.Ordinal)).ShouldBe(1);
    }

    [Fact]
    public async Task AStripeRefundSendsPurchaseRefunded()
    {
        var (id, _) = await fx.Stripe.PaidAsync("WH-ST-REFUND");
        await (await fx.Stripe.Checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = 1000 }, "wh-st-refund")).Expect(HttpStatusCode.Created);
        await fx.Stripe.Stripe.Webhooks.DrainAsync();
        var refunded = await EventAsync("purchase.refunded", id);
        refunded.Json["data"]!["object"]!.Long("refunded").ShouldBe(1000);
        await Task.Delay(300);
        fx.Receiver.Requests.Count(r => r.Type == "purchase.refunded" && r.Body.Contains(id, StringComparison.Ordinal)).ShouldBe(1);
    }
}
