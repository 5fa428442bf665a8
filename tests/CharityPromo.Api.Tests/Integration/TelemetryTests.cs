using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>
/// OpenTelemetry as an operator gets it: a purchase is one trace from its request through the writer's batch to the
/// database; the business counters count what was committed and nothing else; Prometheus's scrape endpoint is an
/// admin's, and off unless asked for.
/// </summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private readonly ApiFactory _app = new();
    private readonly Spans _spans = new();
    private readonly Dictionary<(string Name, string Tags), long> _counted = new();
    private MeterListener? _listener;

    public Task InitializeAsync()
    {
        _app.Settings["Observability:Tracing"] = "true";
        _app.Settings["Observability:Prometheus"] = "true";
        _app.TestServices = services => services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(_spans));
        // This app's business counters only: other test classes run apps (and meters) of their own in this process.
        var meters = _app.Services.GetRequiredService<IMeterFactory>();
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Name.StartsWith("charitypromo.", StringComparison.Ordinal))
                    l.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = (instrument.Name, string.Join(",", tags.ToArray().OrderBy(t => t.Key).Select(t => $"{t.Key}={t.Value}")));
            lock (_counted) _counted[key] = _counted.GetValueOrDefault(key) + value;
        });
        _listener.Start();
        return Task.CompletedTask;
    }

    private long Counted(string name, string tags)
    {
        lock (_counted) return _counted.GetValueOrDefault((name, tags));
    }

    [Fact]
    public async Task APurchaseIsOneTraceFromItsRequestThroughTheWriterBatchToTheDatabase()
    {
        var admin = _app.Client(await _app.CreateKeyAsync("admin"));
        var checkout = _app.Client(await _app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, slug: "traced");

        // A caller's trace (a checkout system's): HttpClient sends it on as traceparent.
        var caller = new Activity("checkout").SetIdFormat(ActivityIdFormat.W3C).Start();
        caller.ActivityTraceFlags = ActivityTraceFlags.Recorded; // the caller samples this trace, so the API records it too
        var traceId = caller.TraceId;
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("TRACE-1", campaign: "traced"), "trace-1")).Expect(HttpStatusCode.Created);
        caller.Stop();

        // The server's span ends just after the answer is sent.
        List<Activity> Trace() => _spans.Snapshot().Where(s => s.TraceId == traceId).ToList();
        for (var i = 0; i < 100 && !Trace().Any(s => s.Kind == ActivityKind.Server); i++) await Task.Delay(50);
        var trace = Trace();
        var server = trace.SingleOrDefault(s => s.Kind == ActivityKind.Server)
                     ?? throw new Xunit.Sdk.XunitException(string.Join("\n", _spans.Snapshot().Select(s => $"{s.TraceId} {s.ParentSpanId} {s.SpanId} {s.DisplayName} {s.Kind}")) + $"\nwanted {traceId}");
        server.DisplayName.ShouldBe("POST /api/purchases/");
        server.GetTagItem("http.response.status_code").ShouldBe(201);
        // The request's writes (the purchase, and the key's first use) each ran in a writer batch under the request's span.
        var batches = trace.Where(s => s.DisplayName == "write batch").ToList();
        batches.ShouldNotBeEmpty();
        batches.ShouldAllBe(b => b.ParentSpanId == server.SpanId);
        static string Sql(Activity s) => s.GetTagItem("db.query.text") as string ?? s.GetTagItem("db.statement") as string ?? "";
        var commands = trace.Where(s => batches.Any(b => b.SpanId == s.ParentSpanId) && s.Kind == ActivityKind.Client).ToList();
        commands.ShouldAllBe(s => s.GetTagItem("db.system.name") != null || s.GetTagItem("db.system") != null);
        commands.Any(s => Sql(s).Contains("INSERT INTO \"Purchases\"", StringComparison.Ordinal)).ShouldBeTrue(
            string.Join("\n", trace.Select(s => $"{s.DisplayName} ({s.Kind}): {Sql(s)}")));
        // A trace never carries values: the purchase's order id is in no tag.
        trace.SelectMany(s => s.TagObjects).ShouldNotContain(t => (t.Value as string ?? "").Contains("TRACE-1"));
    }

    [Fact]
    public async Task PurchasesPledgesAndRefundsAreCountedByCurrencyOnceCommitted()
    {
        var admin = _app.Client(await _app.CreateKeyAsync("admin"));
        var checkout = _app.Client(await _app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, slug: "counted");
        var purchases = Counted("charitypromo.purchases.recorded", "currency=usd,payment.method=external");
        var pledged = Counted("charitypromo.pledged", "currency=usd");

        var bought = await (await checkout.PostJson("/api/purchases", Seed.Purchase("COUNT-1", campaign: "counted"), "count-1")).Expect(HttpStatusCode.Created);
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("COUNT-1", campaign: "counted"), "count-1")).Expect(HttpStatusCode.Created); // replayed
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("COUNT-1", campaign: "counted"), "count-2")).Expect(HttpStatusCode.Conflict);
        Counted("charitypromo.purchases.recorded", "currency=usd,payment.method=external").ShouldBe(purchases + 1);
        Counted("charitypromo.pledged", "currency=usd").ShouldBe(pledged + bought.Long("donation.total"));

        var refund = await (await checkout.PostJson($"/api/purchases/{bought.Str("id")}/refunds", new { amount = 1000 }, "count-refund")).Expect(HttpStatusCode.Created);
        Counted("charitypromo.refunds", "currency=usd").ShouldBe(1);
        Counted("charitypromo.reversed", "currency=usd").ShouldBe(refund.Long("reversed.total"));
    }

    [Fact]
    public async Task AWriteThatIsUndoneCountsNothing()
    {
        var writes = _app.Services.GetRequiredService<Writes>();
        await writes.RunAsync(db =>
        {
            db.CountOnCommit(m => m.PurchaseRecorded("xts", "undone", 5));
            return Task.FromResult<IResult>(TypedResults.Conflict());
        });
        await writes.RunAsync(db =>
        {
            db.CountOnCommit(m => m.PurchaseRecorded("xts", "kept", 7));
            return Task.FromResult<IResult>(TypedResults.Ok());
        });
        await writes.RunAsync(Task (db) =>
        {
            db.CountOnCommit(m => m.PurchaseRecorded("xts", "thrown", 11));
            throw new InvalidOperationException("undone");
        }).ShouldThrowAsync<InvalidOperationException>();

        Counted("charitypromo.purchases.recorded", "currency=xts,payment.method=undone").ShouldBe(0);
        Counted("charitypromo.purchases.recorded", "currency=xts,payment.method=thrown").ShouldBe(0);
        Counted("charitypromo.purchases.recorded", "currency=xts,payment.method=kept").ShouldBe(1);
        Counted("charitypromo.pledged", "currency=xts").ShouldBe(7);
    }

    [Fact]
    public async Task PrometheusScrapesMetricsWithAMonitorOrAdminKeyOnly()
    {
        var admin = _app.Client(await _app.CreateKeyAsync("admin"));
        var checkout = _app.Client(await _app.CreateKeyAsync("checkout"));
        var finance = _app.Client(await _app.CreateKeyAsync("finance"));
        var monitor = _app.Client(await _app.CreateKeyAsync("monitor"));
        await Seed.ContractCampaignAsync(admin, slug: "scraped");
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("SCRAPE-1", campaign: "scraped"), "scrape-1")).Expect(HttpStatusCode.Created);

        (await _app.Client().GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await checkout.GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await finance.GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await monitor.GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var scraped = await admin.GetAsync("/metrics");
        scraped.StatusCode.ShouldBe(HttpStatusCode.OK);
        scraped.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        var text = await scraped.Content.ReadAsStringAsync();
        text.ShouldContain("charitypromo_purchases_recorded_total{");
        text.ShouldContain("http_server_request_duration_seconds_bucket{");
        text.ShouldContain("charitypromo_writer_batches_total");
    }

    [Fact]
    public async Task SpansCarryRouteTemplatesNeverTheReceiptCodesOrCustomerReferencesInPaths()
    {
        var admin = _app.Client(await _app.CreateKeyAsync("admin"));
        var checkout = _app.Client(await _app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, slug: "private-paths");
        var code = (await (await checkout.PostJson("/api/purchases", Seed.Purchase("PRIV-1", campaign: "private-paths", customerRef: "shopper-77@example.com"), "priv-1"))
            .Expect(HttpStatusCode.Created)).Str("receiptCode");
        await (await _app.Client().GetAsync($"/api/receipts/{code}?utm=shopper-77")).Expect(HttpStatusCode.OK);
        await (await admin.DeleteAsync("/api/customers/shopper-77@example.com")).Expect(HttpStatusCode.OK);
        await (await admin.GetAsync("/no/such/path/shopper-77")).ExpectProblem(HttpStatusCode.NotFound);

        List<Activity> server = [];
        for (var i = 0; i < 100 && server.Count < 3; i++, await Task.Delay(20))
            server = _spans.Snapshot().Where(s => s.Kind == ActivityKind.Server && s.GetTagItem("url.path") is string path
                && (path.Contains("receipts") || path.Contains("customers") || path == "(unmatched)")).ToList();
        server.Select(s => s.GetTagItem("url.path")).Distinct().Order().ShouldBe(["(unmatched)", "/api/customers/{customerRef}", "/api/receipts/{code}"]);
        // The API's own spans: server, writer and database. (Client spans here are this test's own requests: the API's
        // tracer listens process-wide, and the test calls it from the same process.)
        var leaks = _spans.Snapshot().Where(s => s.Kind != ActivityKind.Client).SelectMany(s => s.TagObjects.Select(t => $"{s.DisplayName}: {t.Key}={t.Value}"))
            .Where(t => t.Contains(code, StringComparison.OrdinalIgnoreCase) || t.Contains("shopper-77", StringComparison.OrdinalIgnoreCase));
        leaks.ShouldBeEmpty();
    }

    public async Task DisposeAsync()
    {
        _listener?.Dispose();
        await _app.DisposeAsync();
    }
}

/// <summary>With Prometheus off (the default), there is no /metrics at all.</summary>
public sealed class MetricsOffByDefaultTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task ThereIsNoMetricsEndpointUnlessAskedFor()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        (await admin.GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
