using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CharityPromo.StripeDouble;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration.Stripe;

/// <summary>
/// Correctly signed bodies that are not sound events — what a bug in a proxy, a replay tool or a hand-made test can
/// send. Each is a 400 or is acknowledged and ignored, never a 500 (Stripe would retry it for days), changes nothing,
/// and never binds to a purchase it does not name.
/// </summary>
public class StripeSignedGarbageTests(StripeFixture fx) : IClassFixture<StripeFixture>
{
    private string Sign(string json, DateTimeOffset? at = null)
    {
        var webhooks = new CharityPromo.StripeDouble.Webhooks(new HttpClient(), fx.App.Clock);
        webhooks.Secrets.Add(StripeFixture.WebhookSecret);
        return webhooks.Sign(json, at ?? fx.App.Clock.GetUtcNow());
    }

    private async Task<HttpResponseMessage> PostAsync(string json, string? signature = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/stripe/webhook") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", signature ?? Sign(json));
        return await fx.App.Client().SendAsync(request);
    }

    /// <summary>A purchase whose PaymentIntent was never made (Stripe was down), and the JSON of a real succeeded event to bend.</summary>
    private async Task<(string PurchaseId, JsonNode SucceededEvent)> SetUpAsync(string orderId)
    {
        fx.Stripe.FailNext(new Fault(500, Path: "/v1/payment_intents"), times: 3);
        var stuck = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase(orderId), orderId)).ExpectProblem(HttpStatusCode.ServiceUnavailable);
        var other = fx.Stripe.State.CreateIntent(2000, "usd", [], "another integration", "pm_card_visa", confirm: true);
        await fx.Stripe.Webhooks.DrainAsync();
        var succeeded = fx.Stripe.State.Locked(_ => fx.Stripe.State.Events.Last(e => e.Type == "payment_intent.succeeded" && ((PaymentIntentObject)e.Data.Object).Id == other.Id));
        return (stuck.Str("purchaseId"), JsonNode.Parse(JsonSerializer.Serialize(succeeded, StripeDouble.StripeDouble.Json))!);
    }

    private static string With(JsonNode e, string id, Action<JsonNode> change)
    {
        var copy = e.DeepClone();
        copy["id"] = id;
        change(copy);
        return copy.ToJsonString();
    }

    [Fact]
    public async Task EventsWithoutAnIdOrTypeOrInAnotherApiReleaseAreRefusedAndChangeNothing()
    {
        var (purchaseId, e) = await SetUpAsync("SG-REFUSED");
        var before = await fx.TotalsAsync();

        (await (await PostAsync(With(e, "evt_sg_1", x => x["id"] = null))).ExpectProblem(HttpStatusCode.BadRequest)).Str("title").ShouldBe("The body is not a Stripe event");
        (await (await PostAsync(With(e, "evt_sg_2", x => x["type"] = null))).ExpectProblem(HttpStatusCode.BadRequest)).Str("title").ShouldBe("The body is not a Stripe event");
        var old = await (await PostAsync(With(e, "evt_sg_3", x => x["api_version"] = "2024-06-20"))).ExpectProblem(HttpStatusCode.BadRequest);
        old.Str("detail").ShouldContain(global::Stripe.StripeConfiguration.ApiVersion);
        await (await PostAsync("[1]")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await PostAsync("""{"id":"evt_sg_4","object":"event","type":"payment_intent.succeeded","data":""")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await PostAsync(With(e, "evt_sg_5", x => x["created"] = -99999999999999999))).ExpectProblem(HttpStatusCode.BadRequest);

        var body = With(e, "evt_sg_6", _ => { });
        foreach (var header in new[] { "t=99999999999999999999,v1=00", "t=-99999999999,v1=00", "t=,v1=", "v1=" + new string('0', 64), "t=1,t=2" })
            await (await PostAsync(body, header)).ExpectProblem(HttpStatusCode.BadRequest);

        (await fx.PurchaseAsync(purchaseId)).Str("status").ShouldBe("pending");
        (await fx.TotalsAsync()).ToJsonString().ShouldBe(before.ToJsonString());
        await fx.InvariantsHoldAsync();
    }

    [Theory]
    [InlineData("null id")]
    [InlineData("empty id")]
    [InlineData("no object")]
    [InlineData("charge for a payment_intent event")]
    [InlineData("dispute without a payment intent")]
    [InlineData("charge.refunded without a payment intent")]
    public async Task AnEventWhoseObjectIsNotWhatItsTypeSaysIsAcknowledgedAndBindsToNothing(string bend)
    {
        var (purchaseId, e) = await SetUpAsync($"SG-{bend.Replace(' ', '-')}");
        var before = await fx.TotalsAsync();
        var json = With(e, $"evt_sg_{Guid.NewGuid():N}", x =>
        {
            var o = x["data"]!["object"]!;
            o["metadata"] = new JsonObject { ["purchase_id"] = purchaseId }; // naming our purchase must not be enough
            switch (bend)
            {
                case "null id": o["id"] = null; break;
                case "empty id": o["id"] = ""; break;
                case "no object": x["data"] = new JsonObject(); break;
                case "charge for a payment_intent event": o["object"] = "charge"; o["payment_intent"] = null; break;
                case "dispute without a payment intent": x["type"] = "charge.dispute.created"; o["object"] = "dispute"; o["id"] = "dp_x"; o["payment_intent"] = null; break;
                case "charge.refunded without a payment intent": x["type"] = "charge.refunded"; o["object"] = "charge"; o["id"] = "ch_x"; o["payment_intent"] = null; break;
            }
        });

        var answer = await (await PostAsync(json)).Expect(HttpStatusCode.OK);
        answer.Str("outcome").ShouldStartWith("ignored");
        (await fx.PurchaseAsync(purchaseId)).Str("status").ShouldBe("pending");
        (await fx.PurchaseAsync(purchaseId))["payment"]!["paymentIntentId"].ShouldBeNull();
        (await fx.TotalsAsync()).ToJsonString().ShouldBe(before.ToJsonString());
        fx.App.Logs.ShouldContain(line => line.StartsWith("Warning") && line.Contains("ignored"));
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task ASucceededEventAfterTheCancellationChangesNothing()
    {
        var pending = await (await fx.Checkout.PostJson("/api/purchases", StripeFixture.StripePurchase("SG-CANCELLED", paymentMethod: null), "sg-cancelled"))
            .Expect(HttpStatusCode.Created);
        var intentId = pending.Str("payment.paymentIntentId");
        fx.Stripe.State.Cancel(intentId);
        await fx.Stripe.Webhooks.DrainAsync();
        (await fx.PurchaseAsync(pending.Str("id"))).Str("status").ShouldBe("failed");
        var before = await fx.TotalsAsync();

        var canceled = fx.Stripe.State.Locked(_ => fx.Stripe.State.Events.Last(e => e.Type == "payment_intent.canceled" && ((PaymentIntentObject)e.Data.Object).Id == intentId));
        var succeeded = JsonNode.Parse(JsonSerializer.Serialize(canceled, StripeDouble.StripeDouble.Json))!;
        var json = With(succeeded, "evt_sg_after_cancel", x => { x["type"] = "payment_intent.succeeded"; x["data"]!["object"]!["status"] = "succeeded"; });
        (await (await PostAsync(json)).Expect(HttpStatusCode.OK)).Str("outcome").ShouldStartWith("ignored");

        (await fx.PurchaseAsync(pending.Str("id"))).Str("status").ShouldBe("failed");
        (await fx.TotalsAsync()).ToJsonString().ShouldBe(before.ToJsonString());
        await fx.InvariantsHoldAsync();
    }
}

/// <summary>Webhook secrets set but no secret key: an event that needs Stripe waits for a redelivery instead of failing.</summary>
public sealed class StripeWebhookWithoutASecretKeyTests : IDisposable
{
    private readonly ApiFactory _app = new();

    [Fact]
    public async Task ARefundEventIsA503AndIsNotRecordedSoARedeliveryCanApplyIt()
    {
        _app.Settings["Stripe:WebhookSecrets"] = StripeFixture.WebhookSecret;
        var webhooks = new CharityPromo.StripeDouble.Webhooks(new HttpClient(), _app.Clock);
        webhooks.Secrets.Add(StripeFixture.WebhookSecret);
        var e = new EventObject
        {
            Id = "evt_refund_no_key", ApiVersion = StripeDouble.StripeDouble.ApiVersion, Created = _app.Clock.GetUtcNow().ToUnixTimeSeconds(), Type = "charge.refunded",
            Data = new EventDataObject { Object = new ChargeObject { Id = "ch_1", Amount = 5100, AmountRefunded = 5100, Currency = "usd", PaymentIntent = "pi_1" } },
        };
        var json = JsonSerializer.Serialize(e, StripeDouble.StripeDouble.Json);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/stripe/webhook") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", webhooks.Sign(json, _app.Clock.GetUtcNow()));

        var problem = await (await _app.Client().SendAsync(request)).ExpectProblem(HttpStatusCode.ServiceUnavailable);
        problem.Str("title").ShouldBe("Stripe is not configured here");
        (await _app.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.StripeEvents))).ShouldBe(0);
    }

    public void Dispose() => _app.Dispose();
}
