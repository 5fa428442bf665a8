using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Options;

namespace CharityPromo.Site;

/// <summary>
/// The site's own address in links that leave it (canonical, Open Graph, the embed snippet, the receipt's QR code):
/// <c>Site__PublicBaseUrl</c> when set, so a forged Host header cannot put another site's address in them; the request's
/// own address only where none is configured (development, tests).
/// </summary>
public static class PublicOrigin
{
    public static string Of(HttpContext http) =>
        http.RequestServices.GetRequiredService<IOptions<SiteOptions>>().Value.PublicBaseUrl?.TrimEnd('/')
        ?? $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";

    /// <summary>
    /// With a public address configured and <c>AllowedHosts</c> left at "*", only that host (and loopback, for health
    /// checks on the machine) is served: a request for any other Host gets a 400 before a page is made.
    /// </summary>
    public static IServiceCollection AddPublicOriginHosts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HostFilteringOptions>().Configure<IOptions<SiteOptions>>((o, site) =>
        {
            if (site.Value.PublicBaseUrl is not { } url || configuration["AllowedHosts"] is { } configured && configured != "*") return;
            o.AllowedHosts = [new Uri(url).Authority, "localhost", "127.0.0.1", "[::1]"];
        });
        return services;
    }
}
