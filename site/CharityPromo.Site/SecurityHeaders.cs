namespace CharityPromo.Site;

/// <summary>
/// The headers every answer of the site carries. Pages load script, styles and images from the site alone, and no
/// inline script runs (the two scripts are files), so an injected tag can do nothing; the badge, embedded on other
/// sites as an image, gets a policy of its own that allows nothing but its inline styles.
/// </summary>
public static class SecurityHeaders
{
    public const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>An SVG opened on its own is a document: nothing in it may load or run.</summary>
    public const string BadgePolicy = "default-src 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            if (!headers.ContainsKey("Content-Security-Policy")) headers.ContentSecurityPolicy = PagePolicy;
            // Only over https: over plain http a browser ignores it, and a dev or test host must not be pinned to https.
            if (http.Request.IsHttps) headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            return Task.CompletedTask;
        });
        return next(http);
    });
}
