using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CharityPromo.Api.Infrastructure;

/// <summary>
/// Where Stripe's pages may send a browser back to: <c>Checkout:AllowedReturnOrigins</c> for Checkout's
/// <c>successUrl</c>/<c>cancelUrl</c>, <c>Connect:AllowedReturnOrigins</c> for onboarding's <c>returnUrl</c>/<c>refreshUrl</c>.
/// Each a comma-separated list of origins (<c>https://shop.example</c>); https only, but for loopback. Unset, only loopback
/// addresses are allowed (development, the demo). Without this a leaked key could send shoppers from Stripe's trusted page
/// to any site.
/// </summary>
internal sealed class ReturnOrigins
{
    private readonly HashSet<string> _checkout;
    private readonly HashSet<string> _connect;

    public ReturnOrigins(IConfiguration config)
    {
        _checkout = Parse(config, "Checkout:AllowedReturnOrigins");
        _connect = Parse(config, "Connect:AllowedReturnOrigins");
    }

    public ProblemHttpResult? RefuseForCheckout(string field, string? url) => Refuse(_checkout, "Checkout__AllowedReturnOrigins", field, url);

    public ProblemHttpResult? RefuseForConnect(string field, string? url) => Refuse(_connect, "Connect__AllowedReturnOrigins", field, url);

    private static ProblemHttpResult? Refuse(HashSet<string> allowed, string setting, string field, string? url)
    {
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri)) return null; // the validator answers for malformed ones
        if (allowed.Contains(Origin(uri)) || (allowed.Count == 0 && IsLoopback(uri))) return null;
        return Problems.Unprocessable(field, allowed.Count == 0
            ? $"'{field}' must be on this server's own machine until {setting} lists the shop's origins (https://shop.example)."
            : $"'{field}' must be on one of the shop's origins ({setting}): {string.Join(", ", allowed.Order())}.");
    }

    private static string Origin(Uri uri) => uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();

    private static bool IsLoopback(Uri uri) => uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static HashSet<string> Parse(IConfiguration config, string key)
    {
        var origins = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in (config[key] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(entry, UriKind.Absolute, out var uri) || uri.PathAndQuery != "/" || uri.Fragment.Length > 0
                || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri))))
                throw new InvalidOperationException($"{key}: '{entry}' is not an origin: https://host[:port] (http only for loopback), no path.");
            origins.Add(Origin(uri));
        }
        return origins;
    }
}
