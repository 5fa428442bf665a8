using System.Diagnostics;
using System.Net;
using CharityPromo.Testing;
using OpenTelemetry.Trace;

namespace CharityPromo.Site.Tests;

/// <summary>A shopper's trace (a CDN's or a browser's traceparent) goes on from the site into its calls to the API.</summary>
public sealed class TraceTests : IDisposable
{
    private readonly SiteFactory _site = new();
    private readonly Spans _apiSpans = new();

    public TraceTests()
    {
        _site.Api.Settings["Observability:Tracing"] = "true";
        _site.Api.TestServices = services => services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(_apiSpans));
    }

    [Fact]
    public async Task TheApiAnswersTheSitesCallsInTheShoppersTrace()
    {
        var admin = _site.Api.Client(await _site.Api.CreateKeyAsync("admin"));
        await Seed.ContractCampaignAsync(admin, slug: "traced-page");

        var shopper = new Activity("shopper").SetIdFormat(ActivityIdFormat.W3C).Start();
        shopper.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        (await _site.Browser().GetAsync("/campaigns/traced-page")).StatusCode.ShouldBe(HttpStatusCode.OK);
        shopper.Stop();

        List<Activity> ApiServerSpans() => _apiSpans.Snapshot()
            .Where(s => s.TraceId == shopper.TraceId && s.Kind == ActivityKind.Server && s.DisplayName.StartsWith("GET /api/campaigns/{slug}", StringComparison.Ordinal))
            .ToList();
        for (var i = 0; i < 100 && ApiServerSpans().Count == 0; i++) await Task.Delay(50);
        ApiServerSpans().ShouldNotBeEmpty(string.Join("\n", _apiSpans.Snapshot().Where(s => s.Kind == ActivityKind.Server).Select(s => $"{s.TraceId} {s.DisplayName}")));
    }

    public void Dispose() => _site.Dispose();
}
