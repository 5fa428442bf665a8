using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace CharityPromo.Site;

/// <summary>
/// A token bucket per client address for everything but static files (<c>Site:RequestsPerSecond</c>, <c>Site:RequestBurst</c>):
/// one busy client cannot take the site, or the API behind it, from everyone else.
/// </summary>
public static class SiteRateLimit
{
    public static IServiceCollection AddSiteRateLimit(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SiteOptions>>((o, site) =>
        {
            var (perSecond, burst) = (site.Value.RequestsPerSecond, site.Value.RequestBurst);
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => RateLimitPartition.GetTokenBucketLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "", _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = burst, TokensPerPeriod = perSecond, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0, AutoReplenishment = true,
                }));
            o.OnRejected = async (context, ct) =>
            {
                var response = context.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                response.Headers.RetryAfter = "1";
                response.ContentType = "text/plain; charset=utf-8";
                await response.WriteAsync("Too many requests from your address: wait a second and try again.", ct);
            };
        });
        return services;
    }
}

/// <summary>
/// Tells the API which shopper a call is for (<c>X-Forwarded-For</c>), so that with the site's address among the API's
/// <c>ForwardedHeaders__KnownProxies</c> its anonymous limit applies per shopper, not to the whole site as one client.
/// </summary>
public sealed class ForwardShopperAddress(IHttpContextAccessor accessor) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (accessor.HttpContext?.Connection.RemoteIpAddress is { } shopper)
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", shopper.ToString());
        return base.SendAsync(request, ct);
    }
}
