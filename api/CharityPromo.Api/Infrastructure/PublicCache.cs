using Microsoft.AspNetCore.OutputCaching;

namespace CharityPromo.Api.Infrastructure;

/// <summary>
/// The anonymous reads (campaigns, charities, receipts, recent pledges) are served from the output cache
/// for <c>Caching:PublicSeconds</c> (1 s). Every committed write evicts them on this instance, so a client
/// that writes and then reads sees its own write; other instances of a scaled-out deployment may show
/// figures up to that many seconds old.
/// </summary>
internal static class PublicCache
{
    public const string Policy = "public";
    public const string Tag = "public";

    public static IServiceCollection AddPublicCache(this IServiceCollection services, IConfiguration config)
    {
        var seconds = config.GetValue("Caching:PublicSeconds", 1);
        services.AddOutputCache(o => o.AddPolicy(Policy, p => p.Expire(TimeSpan.FromSeconds(Math.Max(seconds, 0))).Tag(Tag).With(_ => seconds > 0)));
        return services;
    }

    /// <summary>
    /// Cached, and answered to HEAD as to GET (link checkers and monitors ask HEAD; Kestrel sends the headers without the
    /// body). The OpenAPI document lists the GET only.
    /// </summary>
    public static TBuilder CachePublicly<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.CacheOutput(Policy).WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));

    /// <summary>
    /// Every answer to a request that carries a key is <c>Cache-Control: no-store</c>: purchases, reports and exports are
    /// the shop's and its shoppers', and must not stay in a browser's cache or a proxy's. Errors and replays included.
    /// </summary>
    public static IApplicationBuilder UseNoStoreForKeyedRequests(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (http.Request.Headers.Authorization.Count > 0)
            http.Response.OnStarting(() =>
            {
                http.Response.Headers.CacheControl = "no-store";
                return Task.CompletedTask;
            });
        return next(http);
    });

    /// <summary>Called after a write commits.</summary>
    public static ValueTask EvictAsync(IOutputCacheStore store, CancellationToken ct) => store.EvictByTagAsync(Tag, ct);
}
