using System.Text;
using System.Text.Json;
using CharityPromo.Site.Api;
using Microsoft.Extensions.Options;

namespace CharityPromo.Site;

/// <summary>
/// A campaign's figures as the page shows them, already formatted, so the page's script stays a few lines: as JSON
/// (<c>?handler=live</c>, polled by browsers without EventSource) and as server-sent events (<c>/campaigns/{slug}/live</c>).
/// </summary>
public static class LiveFigures
{
    /// <summary>How long one event stream stays open; the browser reconnects by itself, so no connection lives for ever.</summary>
    private static readonly TimeSpan StreamFor = TimeSpan.FromMinutes(5);

    public static object Of(Fetched<CampaignSummary> fetched)
    {
        var c = fetched.Value!;
        return new
        {
            raised = Money.Format(c.Totals.Raised, c.Currency, c.CurrencyExponent),
            pending = Money.Format(c.Totals.Pending, c.Currency, c.CurrencyExponent),
            percent = Money.PercentOf(c.Totals.Raised, c.Goal),
            purchases = Words.Plural(c.Totals.Purchases, "purchase"),
            stale = fetched.State == FetchState.Stale,
            asOfUtc = fetched.AsOfUtc,
        };
    }

    /// <summary>
    /// <c>GET /campaigns/{slug}/live</c>: the figures now, then again whenever they change, read from the API every
    /// <c>Site:LiveRefreshSeconds</c> on the readers' behalf, once for all of a campaign's streams (<see cref="LiveFeeds"/>). A comment line between changes
    /// keeps proxies from closing a quiet stream and tells the site when the reader has gone.
    /// </summary>
    public static void MapLiveFigures(this IEndpointRouteBuilder app) =>
        app.MapGet("/campaigns/{slug}/live", async (string slug, HttpContext http, LiveFeeds feeds, IOptions<SiteOptions> options, TimeProvider clock,
            IHostApplicationLifetime lifetime) =>
        {
            using var place = feeds.TryOpen(http.Connection.RemoteIpAddress);
            if (place is null)
            {
                // The page's script falls back to polling the page's JSON, which the output cache answers.
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = options.Value.LiveRefreshSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return;
            }
            // Ends when the reader leaves or the site stops: an open stream must not hold a shutdown up.
            using var ends = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
            var ct = ends.Token;
            var fetched = await feeds.FiguresAsync(slug).WaitAsync(ct);
            if (fetched.Value is null)
            {
                http.Response.StatusCode = fetched.State == FetchState.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status503ServiceUnavailable;
                return;
            }
            var every = TimeSpan.FromSeconds(options.Value.LiveRefreshSeconds);
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers["X-Accel-Buffering"] = "no"; // nginx and friends: pass each event on at once
            await WriteAsync(http, $"retry: {(int)every.TotalMilliseconds}\n\n", ct);
            var (last, until) = ("", clock.GetUtcNow() + StreamFor);
            try
            {
                while (!ct.IsCancellationRequested && clock.GetUtcNow() < until)
                {
                    if (fetched.Value is not null)
                    {
                        var json = JsonSerializer.Serialize(Of(fetched), JsonSerializerOptions.Web);
                        await WriteAsync(http, json == last ? ": unchanged\n\n" : $"data: {json}\n\n", ct);
                        last = json;
                    }
                    await Task.Delay(every, clock, ct);
                    fetched = await feeds.FiguresAsync(slug).WaitAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The reader left, or the site is stopping.
            }
        }).CacheOutput(p => p.NoCache()).ExcludeFromDescription();

    private static async Task WriteAsync(HttpContext http, string text, CancellationToken ct)
    {
        await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        await http.Response.Body.FlushAsync(ct);
    }
}
