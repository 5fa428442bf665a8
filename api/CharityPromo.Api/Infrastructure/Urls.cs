namespace CharityPromo.Api.Infrastructure;

internal static class Urls
{
    /// <summary>An absolute http or https URL: what a browser can be sent to.</summary>
    public static bool IsHttp(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
