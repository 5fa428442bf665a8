using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace CharityPromo.Site;

/// <summary>
/// Gives every successful HTML or JSON GET a weak ETag from its bytes and answers a matching
/// If-None-Match with 304, so a phone re-polling an unchanged page downloads nothing.
/// (The badge sets its own strong ETag and is left alone.) Runs inside the output cache: a cached page keeps its
/// ETag, and the cache answers If-None-Match itself.
/// </summary>
public static class ConditionalGet
{
    public static IApplicationBuilder UseConditionalGet(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // An event stream is never buffered: each event must reach the reader as it is written.
        if (!HttpMethods.IsGet(context.Request.Method) || context.Request.Headers.Accept.ToString().Contains("text/event-stream"))
        {
            await next(context);
            return;
        }

        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        var response = context.Response;
        var type = response.ContentType ?? "";
        if (response.StatusCode == StatusCodes.Status200OK && !response.Headers.ContainsKey(HeaderNames.ETag)
            && (type.StartsWith("text/html") || type.StartsWith("application/json")))
        {
            var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))[..20]}\"", isWeak: true);
            response.Headers.ETag = etag.ToString();
            response.Headers.CacheControl = "no-cache"; // always revalidate: the figures move
            if (context.Request.GetTypedHeaders().IfNoneMatch.Any(t => t.Compare(etag, useStrongComparison: false)))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                response.ContentLength = null;
                return;
            }
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    });
}
