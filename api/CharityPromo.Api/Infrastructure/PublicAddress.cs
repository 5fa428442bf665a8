using Microsoft.AspNetCore.HostFiltering;

namespace CharityPromo.Api.Infrastructure;

/// <summary>
/// <c>Api:PublicBaseUrl</c>: the address integrators reach the API at (https://api.shop.example). With it set, the OpenAPI
/// document's server and licence links name it rather than whatever Host header a request came with, and, unless
/// <c>AllowedHosts</c> is set, only that host (and loopback, for checks on the machine) is served.
/// </summary>
internal static class PublicAddress
{
    private const string Setting = "Api:PublicBaseUrl";

    public static string? Configured(IConfiguration configuration) => configuration[Setting]?.TrimEnd('/');

    public static IServiceCollection AddPublicAddress(this IServiceCollection services, IConfiguration configuration)
    {
        if (Configured(configuration) is not { } url) return services;
        if (!Urls.IsHttp(url)) throw new InvalidOperationException($"{Setting} must be an absolute http or https URL, like https://api.shop.example.");
        if (configuration["AllowedHosts"] is null or "*")
            services.Configure<HostFilteringOptions>(o => o.AllowedHosts = [new Uri(url).Authority, "localhost", "127.0.0.1", "[::1]"]);
        return services;
    }
}
