using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration.Webhooks;

/// <summary>Outbound webhooks end to end: real API on Kestrel, real receivers on 127.0.0.1, the test's clock for retries.</summary>
public class WebhookTests : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private readonly ApiFactory _app;
    private readonly List<WebhookReceiver> _receivers = [];
    private HttpClient _admin = null!;
    private HttpClient _checkout = null!;

    public WebhookTests(ApiFactory app)
    {
        _app = app;
        WebhookSettings.Apply(app);
    }

    public async Task InitializeAsync()
    {
        _admin = _app.Client(await _app.CreateKeyAsync("admin"));
        _checkout = _app.Client(await _app.CreateKeyAsync("checkout"));
        await _admin.ConsentingCharityAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var receiver in _receivers) await receiver.DisposeAsync();
    }

    private async Task<WebhookReceiver> ReceiverAsync()
    {
        var receiver = await WebhookReceiver.StartAsync();
        _receivers.Add(receiver);
        return receiver;
    }

    private async Task<(string Id, string Secret)> RegisterAsync(string url, params string[] events)
    {
        var created = await (await _admin.PostJson("/api/webhook-endpoints", new { url, events, description = "test receiver" })).Expect(HttpStatusCode.Created);
        return (created.Str("id"), created.Str("secret"));
    }

    private async Task<string> CampaignAsync(long goal = 1_000_000, string ends = "2027-01-01T00:00:00Z")
    {
        var slug = $"wh-{Guid.NewGuid():N}"[..20];
        await (await _admin.PostJson("/api/campaigns", Seed.Campaign(slug: slug, goal: goal, ends: ends))).Expect(HttpStatusCode.Created);
        return slug;
    }

    private async Task<JsonNode> PurchaseAsync(string campaign, string orderId) =>
        await (await _checkout.PostJson("/api/purchases", Seed.Purchase(orderId, campaign: campaign, customerRef: null), orderId)).Expect(HttpStatusCode.Created);

    private async Task<JsonNode> DeliveriesAsync(string endpointId) =>
        await (await _admin.GetAsync($"/api/webhook-endpoints/{endpointId}/deliveries")).Expect(HttpStatusCode.OK);

    private async Task<JsonNode> DeliveryOfAsync(string endpointId, string eventId, Func<JsonNode, bool> until)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var delivery = (await DeliveriesAsync(endpointId)).AsArray().SingleOrDefault(d => d!.Str("eventId") == eventId);
            if (delivery is not null && until(delivery)) return delivery;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Delivery of {eventId} never got there: {delivery?.ToJsonString()}\nclock {_app.Clock.GetUtcNow():O}\n"
                    + string.Join('\n', await _app.WithDbAsync(db => Task.FromResult(db.WebhookDeliveries.Where(d => d.Status == "pending").ToList()
                        .Select(d => $"{d.Id} {d.EndpointId} {d.NextAttemptUtc:O} lease {d.LeaseUntilUtc:O}").ToList()))) + "\n"
                    + string.Join('\n', _app.Logs.Where(l => l.StartsWith("Error", StringComparison.Ordinal) || l.Contains("Webhook", StringComparison.Ordinal)).TakeLast(20)));
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task AnExternalPurchaseIsDeliveredSignedWithTheObjectItsGetReturns()
    {
        var receiver = await ReceiverAsync();
        var (_, secret) = await RegisterAsync(receiver.Url, "purchase.confirmed");
        var campaign = await CampaignAsync();
        var purchase = await PurchaseAsync(campaign, "WH-SIGNED-1");

        var received = await receiver.WaitForAsync(r => r.Json["data"]!["object"]!.Str("orderId") == "WH-SIGNED-1");
        received.VerifiedBy(secret).ShouldBe(1, received.Signature);
        received.VerifiedBy("whsec_" + new string('0', 64)).ShouldBe(0);
        received.ContentType.ShouldStartWith("application/json");
        received.Type.ShouldBe("purchase.confirmed");
        received.EventId.ShouldStartWith("evt_");
        received.Json["created"]!.GetValue<long>().ShouldBe(_app.Clock.GetUtcNow().ToUnixTimeSeconds());
        received.SignedAt.ShouldBe(_app.Clock.GetUtcNow().ToUnixTimeSeconds());
        received.Json.AsObject().Select(p => p.Key).ShouldBe(["id", "type", "created", "data"]);

        var got = await (await _checkout.GetAsync($"/api/purchases/{purchase.Str("id")}")).Expect(HttpStatusCode.OK);
        JsonNode.DeepEquals(received.Json["data"]!["object"], got).ShouldBeTrue($"{received.Json["data"]!["object"]!.ToJsonString()}\n{got.ToJsonString()}");
    }

    [Fact]
    public async Task TheSecretIsShownOnceNeverListedAndNotStoredInClear()
    {
        var (id, secret) = await RegisterAsync("http://127.0.0.1:9/hooks", "*");
        secret.ShouldStartWith("whsec_");
        var listed = await (await _admin.GetAsync("/api/webhook-endpoints")).Expect(HttpStatusCode.OK);
        var mine = listed.AsArray().Single(e => e!.Str("id") == id)!;
        mine.ToJsonString().ShouldNotContain("whsec_");
        mine.AsObject().ContainsKey("secret").ShouldBeFalse();
        mine["events"]!.AsArray().Select(e => e!.GetValue<string>()).ShouldBe(["*"]);
        mine.Str("status").ShouldBe("enabled");

        var rotated = await (await _admin.PostJson($"/api/webhook-endpoints/{id}/rotate-secret", new { })).Expect(HttpStatusCode.OK);
        var stored = Encoding.UTF8.GetString(await _app.DatabaseBytesAsync());
        stored.ShouldNotContain(secret[6..]);
        stored.ShouldNotContain(rotated.Str("secret")[6..]);
        string.Join('\n', _app.Logs).ShouldNotContain(secret[6..]);
        await (await _admin.DeleteAsync($"/api/webhook-endpoints/{id}")).Expect(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task BadInputIsAProblemNamingTheField()
    {
        await (await _admin.PostJson("/api/webhook-endpoints", new { url = "http://example.com/hooks", events = new[] { "*" } }))
            .ExpectProblem(HttpStatusCode.BadRequest, "url");
        await (await _admin.PostJson("/api/webhook-endpoints", new { url = "ftp://127.0.0.1/hooks", events = new[] { "*" } }))
            .ExpectProblem(HttpStatusCode.BadRequest, "url");
        await (await _admin.PostJson("/api/webhook-endpoints", new { url = "https://127.0.0.1/hooks", events = new[] { "purchase.exploded" } }))
            .ExpectProblem(HttpStatusCode.BadRequest, "events[0]");
        await (await _admin.PostJson("/api/webhook-endpoints", new { url = "https://127.0.0.1/hooks", events = Array.Empty<string>() }))
            .ExpectProblem(HttpStatusCode.BadRequest, "events");
        // Private and link-local addresses are refused however they are written (loopback is allowed here only by AllowLoopback).
        foreach (var inside in new[] { "https://10.1.2.3/hooks", "https://169.254.169.254/latest", "https://[fd00::1]/hooks", "https://192.168.1.1/x" })
            await (await _admin.PostJson("/api/webhook-endpoints", new { url = inside, events = new[] { "*" } })).ExpectProblem(HttpStatusCode.UnprocessableEntity, "url");

        var unknown = Guid.NewGuid();
        await (await _admin.DeleteAsync($"/api/webhook-endpoints/{unknown}")).ExpectProblem(HttpStatusCode.NotFound, "id");
        await (await _admin.GetAsync($"/api/webhook-endpoints/{unknown}/deliveries")).ExpectProblem(HttpStatusCode.NotFound, "id");
        await (await _admin.PostJson($"/api/webhook-endpoints/{unknown}/rotate-secret", new { })).ExpectProblem(HttpStatusCode.NotFound, "id");
        await (await _admin.PostJson("/api/webhook-deliveries/999999/retry", new { })).ExpectProblem(HttpStatusCode.NotFound, "id");
        await (await _checkout.GetAsync("/api/webhook-endpoints")).ExpectProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AReceiverThatFailsThenRecoversGetsTheEventOnTheRetry()
    {
        var receiver = await ReceiverAsync();
        var failing = true;
        receiver.Answer = _ => Task.FromResult(failing ? 503 : 202);
        var (id, secret) = await RegisterAsync(receiver.Url, "purchase.confirmed");
        await PurchaseAsync(await CampaignAsync(), "WH-RECOVER-1");

        var first = await receiver.WaitForAsync(_ => true);
        var failed = await DeliveryOfAsync(id, first.EventId, d => d["attempts"]!.AsArray().Count == 1);
        failed.Str("status").ShouldBe("pending");
        var attempt = failed["attempts"]![0]!;
        attempt["statusCode"]!.GetValue<int>().ShouldBe(503);
        attempt.Str("response").Length.ShouldBe(1024); // only the first KiB of the answer is kept
        var retryAt = DateTime.Parse(attempt.Str("nextRetryUtc"), null, System.Globalization.DateTimeStyles.AdjustToUniversal);
        (retryAt - _app.Clock.GetUtcNow().UtcDateTime).ShouldBe(TimeSpan.FromMinutes(1)); // Webhooks:RetryBase
        failed.Str("nextAttemptUtc").ShouldBe(attempt.Str("nextRetryUtc"));

        await Task.Delay(300);
        receiver.Requests.Count.ShouldBe(1); // nothing before the retry is due
        failing = false;
        _app.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await receiver.WaitForAsync(_ => true, count: 2);
        second.EventId.ShouldBe(first.EventId);
        second.Body.ShouldBe(first.Body); // the same event, byte for byte
        second.VerifiedBy(secret).ShouldBe(1);
        var delivered = await DeliveryOfAsync(id, first.EventId, d => d.Str("status") == "delivered");
        delivered["attempts"]!.AsArray().Select(a => a!["statusCode"]!.GetValue<int>()).ShouldBe([503, 202]);
        delivered["nextAttemptUtc"].ShouldBeNull();

        var metrics = await _admin.GetStringAsync("/metrics");
        metrics.ShouldContain("charitypromo_webhook_deliveries_total{");
        metrics.Split('\n').ShouldContain(l => l.StartsWith("charitypromo_webhook_deliveries_total{", StringComparison.Ordinal) && l.Contains("outcome=\"retrying\"", StringComparison.Ordinal));
        metrics.Split('\n').ShouldContain(l => l.StartsWith("charitypromo_webhook_deliveries_total{", StringComparison.Ordinal) && l.Contains("outcome=\"delivered\"", StringComparison.Ordinal));
        metrics.ShouldContain("charitypromo_webhook_oldest_undelivered_age_seconds");
    }

    [Fact]
    public async Task AReceiverThatTimesOutIsRetriedLater()
    {
        var receiver = await ReceiverAsync();
        var slow = true;
        receiver.Answer = async _ =>
        {
            if (slow) await Task.Delay(TimeSpan.FromSeconds(3)); // Webhooks:Timeout is 1 s here
            return 200;
        };
        var (id, _) = await RegisterAsync(receiver.Url, "purchase.confirmed");
        await PurchaseAsync(await CampaignAsync(), "WH-SLOW-1");
        var first = await receiver.WaitForAsync(_ => true);
        var timedOut = await DeliveryOfAsync(id, first.EventId, d => d["attempts"]!.AsArray().Count == 1);
        var attempt = timedOut["attempts"]![0]!;
        attempt["statusCode"].ShouldBeNull();
        attempt.Str("error").ShouldContain("No answer within 1 s");
        attempt["durationMs"]!.GetValue<int>().ShouldBeInRange(900, 2900);
        timedOut.Str("status").ShouldBe("pending");

        slow = false;
        _app.Clock.Advance(TimeSpan.FromMinutes(1));
        (await DeliveryOfAsync(id, first.EventId, d => d.Str("status") == "delivered"))["attempts"]!.AsArray().Count.ShouldBe(2);
    }

    [Fact]
    public async Task AnEndpointDeletedWhileDeliveriesArePendingGetsNothingMore()
    {
        var receiver = await ReceiverAsync();
        receiver.Answer = _ => Task.FromResult(500);
        var (id, _) = await RegisterAsync(receiver.Url, "purchase.confirmed");
        var campaign = await CampaignAsync();
        await PurchaseAsync(campaign, "WH-DELETED-1");
        await PurchaseAsync(campaign, "WH-DELETED-2");
        await receiver.WaitForAsync(_ => true, count: 2);

        await (await _admin.DeleteAsync($"/api/webhook-endpoints/{id}")).Expect(HttpStatusCode.NoContent);
        var before = receiver.Requests.Count;
        _app.Clock.Advance(TimeSpan.FromMinutes(5));
        await PurchaseAsync(campaign, "WH-DELETED-3");
        await Task.Delay(1000);
        receiver.Requests.Count.ShouldBe(before);
        await (await _admin.GetAsync($"/api/webhook-endpoints/{id}/deliveries")).ExpectProblem(HttpStatusCode.NotFound, "id");
        (await (await _admin.GetAsync("/api/webhook-endpoints")).Expect(HttpStatusCode.OK)).AsArray().ShouldNotContain(e => e!.Str("id") == id);
        _app.Logs.ShouldNotContain(l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("Webhook", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARotatedOutSecretSignsAsASecondV1For24Hours()
    {
        var receiver = await ReceiverAsync();
        var (id, old) = await RegisterAsync(receiver.Url, "purchase.confirmed");
        var rotated = await (await _admin.PostJson($"/api/webhook-endpoints/{id}/rotate-secret", new { })).Expect(HttpStatusCode.OK);
        var secret = rotated.Str("secret");
        secret.ShouldNotBe(old);
        var campaign = await CampaignAsync();

        await PurchaseAsync(campaign, "WH-ROTATE-1");
        var during = await receiver.WaitForAsync(r => r.Body.Contains("WH-ROTATE-1", StringComparison.Ordinal));
        during.V1Count.ShouldBe(2);
        during.VerifiedBy(secret).ShouldBe(1);
        during.VerifiedBy(old).ShouldBe(1);

        _app.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        await PurchaseAsync(campaign, "WH-ROTATE-2");
        var after = await receiver.WaitForAsync(r => r.Body.Contains("WH-ROTATE-2", StringComparison.Ordinal));
        after.V1Count.ShouldBe(1);
        after.VerifiedBy(secret).ShouldBe(1);
        after.VerifiedBy(old).ShouldBe(0);
    }

    [Fact]
    public async Task RetriesBackOffDoublingToSixHoursAndAfterThreeDaysTheEndpointIsDisabledAndAudited()
    {
        var receiver = await ReceiverAsync();
        receiver.Answer = _ => Task.FromResult(500);
        var (id, _) = await RegisterAsync(receiver.Url, "purchase.confirmed");
        await PurchaseAsync(await CampaignAsync(), "WH-GIVEUP-1");
        var eventId = (await receiver.WaitForAsync(_ => true)).EventId;
        var start = _app.Clock.GetUtcNow();

        var delays = new List<TimeSpan>();
        JsonNode delivery;
        while (true)
        {
            var attempts = delays.Count + 1;
            delivery = await DeliveryOfAsync(id, eventId, d => d["attempts"]!.AsArray().Count >= attempts);
            delivery["attempts"]!.AsArray().Count.ShouldBe(attempts); // none before it was due
            // The attempt says when the next one is due (none after the last), as the delivery does.
            if (delivery["attempts"]![attempts - 1]!["nextRetryUtc"] is null)
            {
                delivery = await DeliveryOfAsync(id, eventId, d => d.Str("status") != "pending");
                break;
            }
            var next = DateTimeOffset.Parse(delivery["attempts"]![attempts - 1]!.Str("nextRetryUtc"));
            DateTimeOffset.Parse(delivery.Str("nextAttemptUtc")).ShouldBe(next);
            delays.Add(next - _app.Clock.GetUtcNow());
            _app.Clock.Set(next);
        }
        delays.Take(10).Select(d => d.TotalMinutes).ShouldBe([1, 2, 4, 8, 16, 32, 64, 128, 256, 360]);
        delays.Skip(9).ShouldAllBe(d => d == TimeSpan.FromHours(6));
        (_app.Clock.GetUtcNow() - start).ShouldBeLessThanOrEqualTo(TimeSpan.FromDays(3));
        (_app.Clock.GetUtcNow() - start + TimeSpan.FromHours(6)).ShouldBeGreaterThan(TimeSpan.FromDays(3));
        delivery.Str("status").ShouldBe("failed");
        delivery["nextAttemptUtc"].ShouldBeNull();

        var endpoint = (await (await _admin.GetAsync("/api/webhook-endpoints")).Expect(HttpStatusCode.OK)).AsArray().Single(e => e!.Str("id") == id)!;
        endpoint.Str("status").ShouldBe("disabled");
        var audit = await (await _admin.GetAsync("/api/admin/audit?kind=webhook_endpoint.disabled")).Expect(HttpStatusCode.OK);
        audit["items"]!.AsArray().ShouldContain(e => e!.Str("subject") == $"webhook_endpoint:{id}" && e!.Str("actor") == "webhooks");

        // Disabled: new events are not queued for it, and a retry is refused.
        var sent = receiver.Requests.Count;
        await PurchaseAsync(await CampaignAsync(), "WH-GIVEUP-2");
        await Task.Delay(500);
        receiver.Requests.Count.ShouldBe(sent);
        await (await _admin.PostJson($"/api/webhook-deliveries/{delivery.Long("id")}/retry", new { })).ExpectProblem(HttpStatusCode.Conflict, "id");
    }

    [Fact]
    public async Task ADeliveryCanBeSentAgainOnRequest()
    {
        var receiver = await ReceiverAsync();
        var (id, _) = await RegisterAsync(receiver.Url, "purchase.confirmed");
        await PurchaseAsync(await CampaignAsync(), "WH-AGAIN-1");
        var first = await receiver.WaitForAsync(_ => true);
        var delivered = await DeliveryOfAsync(id, first.EventId, d => d.Str("status") == "delivered");

        var queued = await (await _admin.PostJson($"/api/webhook-deliveries/{delivered.Long("id")}/retry", new { })).Expect(HttpStatusCode.Accepted);
        queued.Str("status").ShouldBe("pending");
        var again = await receiver.WaitForAsync(_ => true, count: 2);
        again.Body.ShouldBe(first.Body);
        (await DeliveryOfAsync(id, first.EventId, d => d.Str("status") == "delivered" && d["attempts"]!.AsArray().Count == 2)).ShouldNotBeNull();
    }

    [Fact]
    public async Task WithNoEndpointSubscribedNothingIsWritten()
    {
        var (id, _) = await RegisterAsync("http://127.0.0.1:9/hooks", "remittance.paid");
        var campaign = await CampaignAsync();
        var before = await _app.WithDbAsync(db => Task.FromResult(db.WebhookDeliveries.Count()));
        await PurchaseAsync(campaign, "WH-NOBODY-1");
        (await _app.WithDbAsync(db => Task.FromResult(db.WebhookDeliveries.Count(e => e.Payload.Contains("WH-NOBODY-1"))))).ShouldBe(0);
        (await _app.WithDbAsync(db => Task.FromResult(db.WebhookDeliveries.Count()))).ShouldBe(before);
        await (await _admin.DeleteAsync($"/api/webhook-endpoints/{id}")).Expect(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task RefundsRemittancesAndCampaignsSendTheirEventsWithWhatTheirGetsReturn()
    {
        var receiver = await ReceiverAsync();
        await RegisterAsync(receiver.Url, "purchase.refunded", "remittance.created", "remittance.paid", "campaign.goal_reached", "campaign.ended");
        var finance = _app.Client(await _app.CreateKeyAsync("finance"));
        var end = _app.Clock.GetUtcNow().AddHours(1);
        var campaign = await CampaignAsync(goal: 600, ends: end.ToString("O"));

        var purchase = await PurchaseAsync(campaign, "WH-MANY-1"); // 351 raised: under the goal
        await PurchaseAsync(campaign, "WH-MANY-2"); // 702: the goal is reached
        await PurchaseAsync(campaign, "WH-MANY-3"); // already reached: no second event
        var goal = await receiver.WaitForAsync(r => r.Type == "campaign.goal_reached" && r.Body.Contains(campaign, StringComparison.Ordinal));
        goal.Json["data"]!["object"]!.Long("totals.raised").ShouldBe(702);

        await (await _checkout.PostJson($"/api/purchases/{purchase.Str("id")}/refunds", new { amount = 1700 }, "wh-many-refund")).Expect(HttpStatusCode.Created);
        var refunded = await receiver.WaitForAsync(r => r.Type == "purchase.refunded" && r.Body.Contains("WH-MANY-1", StringComparison.Ordinal));
        var got = await (await _checkout.GetAsync($"/api/purchases/{purchase.Str("id")}")).Expect(HttpStatusCode.OK);
        JsonNode.DeepEquals(refunded.Json["data"]!["object"], got).ShouldBeTrue();
        got.Str("status").ShouldBe("partially_refunded");

        _app.Clock.Advance(TimeSpan.FromHours(2));
        var ended = await receiver.WaitForAsync(r => r.Type == "campaign.ended" && r.Body.Contains(campaign, StringComparison.Ordinal));
        ended.Json["data"]!["object"]!.Str("status").ShouldBe("ended");
        var campaignGot = await (await _app.Client().GetAsync($"/api/campaigns/{campaign}")).Expect(HttpStatusCode.OK);
        JsonNode.DeepEquals(ended.Json["data"]!["object"], campaignGot).ShouldBeTrue($"{ended.Json["data"]!["object"]!.ToJsonString()}\n{campaignGot.ToJsonString()}");

        _app.Clock.Advance(TimeSpan.FromDays(8)); // past Remittances:HoldDays, so the pledges can be remitted
        var batch = await (await finance.PostJson("/api/remittances", new { charity = "read-together", currency = "usd", cutoffUtc = _app.Clock.GetUtcNow() }, "wh-batch"))
            .Expect(HttpStatusCode.Created);
        var created = await receiver.WaitForAsync(r => r.Type == "remittance.created" && r.Body.Contains(batch.Str("id"), StringComparison.Ordinal));
        await (await finance.PostJson($"/api/remittances/{batch.Str("id")}/paid", new { reference = "BANK-1" }, "wh-paid")).Expect(HttpStatusCode.OK);
        var paid = await receiver.WaitForAsync(r => r.Type == "remittance.paid" && r.Body.Contains(batch.Str("id"), StringComparison.Ordinal));
        var batchGot = await (await finance.GetAsync($"/api/remittances/{batch.Str("id")}")).Expect(HttpStatusCode.OK);
        JsonNode.DeepEquals(paid.Json["data"]!["object"], batchGot).ShouldBeTrue($"{paid.Json["data"]!["object"]!.ToJsonString()}\n{batchGot.ToJsonString()}");
        created.Json["data"]!["object"]!.Str("status").ShouldBe("draft");

        await Task.Delay(300);
        receiver.Requests.Count(r => r.Type == "campaign.goal_reached" && r.Body.Contains(campaign, StringComparison.Ordinal)).ShouldBe(1);
        receiver.Requests.Count(r => r.Type == "campaign.ended" && r.Body.Contains(campaign, StringComparison.Ordinal)).ShouldBe(1);
    }

    [Fact]
    public async Task EveryEventIsDocumentedAsAWebhookWhoseBodyIsItsEnvelope()
    {
        var document = await (await _app.Client().GetAsync("/swagger/v1/swagger.json")).Expect(HttpStatusCode.OK);
        var webhooks = document["x-webhooks"]!.AsObject();
        webhooks.Select(w => w.Key).ShouldBe(["purchase.confirmed", "purchase.failed", "purchase.refunded", "purchase.disputed", "purchase.dispute_closed",
            "remittance.created", "remittance.paid", "campaign.goal_reached", "campaign.ended"]);
        webhooks["purchase.refunded"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!.Str("$ref").ShouldBe("#/components/schemas/PurchaseEvent");
        webhooks["campaign.ended"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!.Str("$ref").ShouldBe("#/components/schemas/CampaignEvent");
        var envelope = document["components"]!["schemas"]!["RemittanceEvent"]!;
        envelope["properties"]!["data"]!["properties"]!["object"]!.Str("$ref").ShouldBe("#/components/schemas/RemittanceResponse");
        envelope["properties"]!["type"]!["enum"]!.AsArray().Select(t => t!.GetValue<string>()).ShouldBe(["remittance.created", "remittance.paid"]);
    }
}


/// <summary>The settings webhook tests run with: loopback receivers, quick polling, a short timeout.</summary>
internal static class WebhookSettings
{
    public static void Apply(ApiFactory app)
    {
        app.Settings["Webhooks:AllowLoopback"] = "true";
        app.Settings["Webhooks:PollInterval"] = "00:00:00.05";
        app.Settings["Webhooks:Timeout"] = "00:00:01";
        app.Settings["Webhooks:Lease"] = "00:00:05";
        app.Settings["Observability:Prometheus"] = "true";
    }
}
