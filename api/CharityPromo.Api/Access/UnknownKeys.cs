using System.Threading.RateLimiting;
using CharityPromo.Api.Infrastructure;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace CharityPromo.Api.Access;

/// <summary>
/// What unknown API keys may cost. Each one is a database lookup, and the per-key rate limit cannot apply to a key
/// that is not there, so: a key found unknown is remembered for a minute (sent again, it costs nothing), and each
/// address has a budget of lookups that found nothing (<c>RateLimiting:UnknownKeysPerSecond</c> / <c>__UnknownKeysBurst</c>).
/// Spent, that address's unproven keys are refused with a 429 before any lookup, until the budget refills.
/// A key this instance has found valid is never held to that budget: a shared NAT or guest Wi-Fi whose address someone
/// floods with junk must not lock out the tills behind it. Malformed keys never reach here (<see cref="ApiKeys.ShapeOf"/>).
/// </summary>
internal sealed class UnknownKeys : IDisposable
{
    private static readonly TimeSpan Remembered = TimeSpan.FromMinutes(1);
    /// <summary>A valid key stays exempt while it keeps being used; one unused for a day proves itself again.</summary>
    private static readonly TimeSpan ValidRemembered = TimeSpan.FromHours(24);
    private readonly MemoryCache _unknown = new(new MemoryCacheOptions { SizeLimit = 10_000 });
    private readonly MemoryCache _valid = new(new MemoryCacheOptions { SizeLimit = 10_000 });
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

    /// <summary>
    /// False when the address has spent its budget of lookups that found nothing and this key has not been found valid
    /// here. Only decides whether to look; the lookup alone lets a key in, so a key revoked since is still refused.
    /// </summary>
    public bool MayLookUp(string hash, string address) =>
        _valid.TryGetValue(hash, out _) || _misses.GetStatistics(address) is not { CurrentAvailablePermits: <= 0 };

    public void Found(string hash) =>
        _valid.Set(hash, true, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = ValidRemembered });

    public void Missed(string hash, string address)
    {
        _valid.Remove(hash); // revoked since it was last seen
        _unknown.Set(hash, true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Remembered });
        using var _ = _misses.AttemptAcquire(address);
    }

    public void Dispose()
    {
        _unknown.Dispose();
        _valid.Dispose();
        _misses.Dispose();
    }
}
