using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CharityPromo.Api.Infrastructure;

/// <summary>
/// The business counters on the <c>CharityPromo.Api</c> meter. Counts of what was written are taken only once the
/// writer's transaction has committed (<see cref="Data.AppDb.CountOnCommit"/>), so an undone write or a failed batch
/// counts nothing. Tags stay few and bounded: currency, payment method, Stripe event type, outcome.
/// </summary>
internal sealed class ApiMetrics
{
    private readonly Counter<long> _purchases, _pledged, _refunds, _reversed, _webhooks, _webhookDeliveries;

    public ApiMetrics(IMeterFactory meters, TimeProvider clock)
    {
        var meter = meters.Create(Telemetry.Name);
        _purchases = meter.CreateCounter<long>("charitypromo.purchases.recorded", "{purchase}", "Purchases recorded, by currency and payment method.");
        _pledged = meter.CreateCounter<long>("charitypromo.pledged", "{minor_unit}",
            "Donations pledged with recorded purchases, in the currency's minor units (cents), by currency.");
        _refunds = meter.CreateCounter<long>("charitypromo.refunds", "{refund}", "Refunds recorded, by currency.");
        _reversed = meter.CreateCounter<long>("charitypromo.reversed", "{minor_unit}", "Donations reversed by refunds, in minor units, by currency.");
        _webhooks = meter.CreateCounter<long>("charitypromo.webhooks", "{event}",
            "Stripe webhook deliveries, by event type and outcome: applied, duplicate, ignored, rejected, retry.");
        _webhookDeliveries = meter.CreateCounter<long>("charitypromo.webhook_deliveries", "{attempt}",
            "Attempts at delivering our own webhook events, by outcome: delivered, retrying (failed, to be sent again), failed (given up).");
        meter.CreateObservableGauge("charitypromo.webhook_oldest_undelivered_age", () =>
                OldestUndeliveredWebhookUtc is { } oldest ? Math.Max(0, (clock.GetUtcNow().UtcDateTime - oldest).TotalSeconds) : 0, "s",
            "Age of the oldest event not yet delivered to an enabled endpoint (0 when none waits), as of the dispatcher's last round.");
    }

    public void PurchaseRecorded(string currency, string method, long pledged)
    {
        var tags = new TagList { { "currency", currency }, { "payment.method", method } };
        _purchases.Add(1, tags);
        _pledged.Add(pledged, new KeyValuePair<string, object?>("currency", currency));
    }

    public void RefundRecorded(string currency, long reversed)
    {
        var currencyTag = new KeyValuePair<string, object?>("currency", currency);
        _refunds.Add(1, currencyTag);
        _reversed.Add(reversed, currencyTag);
    }

    /// <summary>The creation time of the oldest delivery still pending, which this instance's dispatcher last saw.</summary>
    public DateTime? OldestUndeliveredWebhookUtc { get; set; }

    public void WebhookDelivered(string outcome) => _webhookDeliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <param name="type">The event's type; "unverified" when its signature did not hold.</param>
    public void Webhook(string type, string outcome) =>
        _webhooks.Add(1, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("outcome", outcome));
}
