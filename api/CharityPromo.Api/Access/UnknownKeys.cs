using System.Threading.RateLimiting;
using CharityPromo.Api.Infrastructure;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace CharityPromo.Api.Access;

/// <summary>
/// What unknown API keys may cost. Each one is a database lookup, and the per-key rate limit cannot apply to a key
/// that is not there, so: a key found unknown is remembered for a minute (sent again, it costs nothing), and each
/// address has a budget of lookups that found nothing (<c>RateLimiting:UnknownKeysPerSecond</c> / <c>__UnknownKeysBurst</c>).
/// Spent, that address's keys are refused with a 429 before any lookup, until the budget refills.
/// </summary>
internal sealed class UnknownKeys : IDisposable
{
    private static readonly TimeSpan Remembered = TimeSpan.FromMinutes(1);
    private readonly MemoryCache _unknown = new(new MemoryCacheOptions { SizeLimit = 10_000 });
    private readonly PartitionedRateLimiter<string> _misses;

    public UnknownKeys(IOptions<RateLimitOptions> options)
    {
        var (perSecond, burst) = (options.Value.UnknownKeysPerSecond, options.Value.UnknownKeysBurst);
        _misses = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst, TokensPerPeriod = perSecond, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0, AutoReplenishment = true,
        }));
    }

    public bool IsKnownUnknown(string hash) => _unknown.TryGetValue(hash, out _);

    /// <summary>False when the address has spent its budget of lookups that found nothing.</summary>
    public bool MayLookUp(string address) => _misses.GetStatistics(address) is not { CurrentAvailablePermits: <= 0 };

    public void Missed(string hash, string address)
    {
        _unknown.Set(hash, true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Remembered });
        using var _ = _misses.AttemptAcquire(address);
    }

    public void Dispose()
    {
        _unknown.Dispose();
        _misses.Dispose();
    }
}
