using System.Diagnostics;

namespace CharityPromo.Api.Infrastructure;

/// <summary>
/// One log line per request, naming the route's template ("GET /api/receipts/{code}"), never the path: a path carries
/// receipt codes, order ids and customer references, which stay out of the log at every level. ASP.NET Core's own
/// request logging (whose lines and scope print the path) is off in appsettings.json. The line carries the trace and span ids
/// like every other (<c>ActivityTrackingOptions</c>), so it joins up with the request's trace.
/// </summary>
internal static class RequestLog
{
    public const string Category = "CharityPromo.Api.Requests";

    public static void UseRequestLog(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        app.Use(async (http, next) =>
        {
            if (!logger.IsEnabled(LogLevel.Information))
            {
                await next(http);
                return;
            }
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(http);
            }
            finally
            {
                var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
                logger.LogInformation("{Method} {Route} answered {StatusCode} in {ElapsedMs:0.0} ms", http.Request.Method, route,
                    http.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        });
    }
}
