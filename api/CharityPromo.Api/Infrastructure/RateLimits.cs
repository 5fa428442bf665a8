using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using CharityPromo.Api.Access;
using Microsoft.AspNetCore.RateLimiting;

namespace CharityPromo.Api.Infrastructure;

/// <summary>Token buckets per API key, and per client address for anonymous reads (section <c>RateLimiting</c>).</summary>
internal sealed class RateLimitOptions
{
    [Range(1, 1_000_000)] public int PerKeyPerSecond { get; set; } = 1000;
    [Range(1, 1_000_000)] public int PerKeyBurst { get; set; } = 2000;
    [Range(1, 1_000_000)] public int AnonymousPerSecond { get; set; } = 2000;
    [Range(1, 1_000_000)] public int AnonymousBurst { get; set; } = 4000;
    /// <summary>Per address: lookups of keys that turn out unknown (Access.UnknownKeys).</summary>
    [Range(1, 1_000_000)] public int UnknownKeysPerSecond { get; set; } = 10;
    [Range(1, 1_000_000)] public int UnknownKeysBurst { get; set; } = 50;
}

internal static class RateLimits
{
    public static IServiceCollection AddApiRateLimits(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<RateLimitOptions>().Bind(config.GetSection("RateLimiting")).ValidateDataAnnotations().ValidateOnStart();
        var options = config.GetSection("RateLimiting").Get<RateLimitOptions>() ?? new RateLimitOptions();

        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                http.User.FindFirst(Scopes.ClientIdClaim)?.Value is { } client
                    ? RateLimitPartition.GetTokenBucketLimiter("key:" + client, _ => Bucket(options.PerKeyPerSecond, options.PerKeyBurst))
                    : RateLimitPartition.GetTokenBucketLimiter("ip:" + http.Connection.RemoteIpAddress, _ => Bucket(options.AnonymousPerSecond, options.AnonymousBurst)));
            o.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await Problems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, ProblemTypes.RateLimited,
                    "Too many requests", $"Rate limit exceeded; retry after {retryAfter} s.");
            };
        });
        return services;
    }

    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
