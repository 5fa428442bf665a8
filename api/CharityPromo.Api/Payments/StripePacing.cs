using System.Threading.RateLimiting;

namespace CharityPromo.Api.Payments;

/// <summary>
/// Spaces the requests of the Stripe client that bulk readers use (the reconciliation report) to a steady rate, every
/// page and retry included, so a report over thousands of payments cannot spend the account's rate limit and leave
/// shoppers' payments answered 429. Requests wait their turn; a cancelled report stops waiting.
/// </summary>
internal sealed class StripePacing(int perSecond) : DelegatingHandler
{
    private readonly TokenBucketRateLimiter _bucket = new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = perSecond, TokensPerPeriod = perSecond, ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = int.MaxValue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst, AutoReplenishment = true,
    });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var lease = await _bucket.AcquireAsync(1, ct);
        return await base.SendAsync(request, ct);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _bucket.Dispose();
        base.Dispose(disposing);
    }
}
