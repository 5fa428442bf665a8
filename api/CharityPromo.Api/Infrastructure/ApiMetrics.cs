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
    private readonly Counter<long> _purchases, _pledged, _refunds, _reversed, _webhooks;

    public ApiMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Telemetry.Name);
        _purchases = meter.CreateCounter<long>("charitypromo.purchases.recorded", "{purchase}", "Purchases recorded, by currency and payment method.");
        _pledged = meter.CreateCounter<long>("charitypromo.pledged", "{minor_unit}",
            "Donations pledged with recorded purchases, in the currency's minor units (cents), by currency.");
        _refunds = meter.CreateCounter<long>("charitypromo.refunds", "{refund}", "Refunds recorded, by currency.");
        _reversed = meter.CreateCounter<long>("charitypromo.reversed", "{minor_unit}", "Donations reversed by refunds, in minor units, by currency.");
        _webhooks = meter.CreateCounter<long>("charitypromo.webhooks", "{event}",
            "Stripe webhook deliveries, by event type and outcome: applied, duplicate, ignored, rejected, retry.");
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

    /// <param name="type">The event's type; "unverified" when its signature did not hold.</param>
    public void Webhook(string type, string outcome) =>
        _webhooks.Add(1, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("outcome", outcome));
}
