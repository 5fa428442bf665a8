using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace CharityPromo.Api.Infrastructure;

/// <summary>
/// Behind a reverse proxy every request comes from the proxy's address, so every shopper would share one anonymous
/// rate-limit bucket. <c>ForwardedHeaders:KnownProxies</c> (addresses) and <c>ForwardedHeaders:KnownNetworks</c>
/// (CIDR ranges), comma-separated, name the proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are
/// believed; the client's address is then the one the nearest of them saw. Off when neither is set: a header
/// anyone can send must not choose anyone's bucket.
/// </summary>
internal static class KnownProxies
{
    public static IServiceCollection AddKnownProxies(this IServiceCollection services, IConfiguration config)
    {
        var proxies = List(config, "KnownProxies").Select(p => IPAddress.TryParse(p, out var address) ? address
            : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies: '{p}' is not an IP address.")).ToList();
        var networks = List(config, "KnownNetworks").Select(n => System.Net.IPNetwork.TryParse(n, out var network) ? network
            : throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks: '{n}' is not a CIDR range like 10.0.0.0/8.")).ToList();
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies) o.KnownProxies.Add(proxy);
            foreach (var network in networks) o.KnownIPNetworks.Add(network);
        });
        return services;
    }

    public static IApplicationBuilder UseKnownProxies(this IApplicationBuilder app, IConfiguration config) =>
        List(config, "KnownProxies").Count + List(config, "KnownNetworks").Count > 0 ? app.UseForwardedHeaders() : app;

    private static List<string> List(IConfiguration config, string name) =>
        [.. (config[$"ForwardedHeaders:{name}"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
