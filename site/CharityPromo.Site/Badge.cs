using System.Security.Cryptography;
using System.Text;
using CharityPromo.Site.Api;
using Microsoft.Net.Http.Headers;

namespace CharityPromo.Site;

/// <summary><c>GET /badge/{slug}.svg</c>: the embeddable progress badge, cacheable by browsers and CDNs, with ETags.</summary>
public static class Badge
{
    public const int MaxAgeSeconds = 60;

    public static void MapBadge(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/badge/{slug}.svg", async (string slug, HttpContext http, PublicApi api, CancellationToken ct) =>
        {
            var fetched = await api.CampaignAsync(slug, ct);
            if (fetched.State == FetchState.NotFound) return Results.NotFound();
            if (fetched.Value is not { } c) return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);

            var svg = Svg.Badge(c.Name, c.Totals.Raised, c.Goal, c.Currency, c.CurrencyExponent, c.Impact);
            var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(svg)))[..16]}\"");
            http.Response.Headers.CacheControl = $"public, max-age={MaxAgeSeconds}";
            http.Response.Headers.ETag = etag.ToString();
            http.Response.Headers.LastModified = fetched.AsOfUtc.ToString("R");
            http.Response.Headers["Access-Control-Allow-Origin"] = "*"; // merchants embed it on their own sites
            http.Response.Headers.ContentSecurityPolicy = SecurityHeaders.BadgePolicy;

            var ifNoneMatch = http.Request.GetTypedHeaders().IfNoneMatch;
            if (ifNoneMatch.Any(t => t.Compare(etag, useStrongComparison: false) || t.Equals(EntityTagHeaderValue.Any)))
                return Results.StatusCode(StatusCodes.Status304NotModified);
            return Results.Text(svg, "image/svg+xml; charset=utf-8");
        });
}
