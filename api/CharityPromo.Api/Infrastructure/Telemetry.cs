using System.Diagnostics;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CharityPromo.Api.Infrastructure;

/// <summary>
/// OpenTelemetry, on only when something reads it, so a plain instance does no telemetry work per request:
/// <list type="bullet">
/// <item><c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (and the other standard <c>OTEL_*</c> variables): traces, metrics and logs
/// go to that collector over OTLP.</item>
/// <item><c>Observability:Prometheus=true</c>: metrics are served at <c>GET /metrics</c> in Prometheus's text format, to
/// admin keys (Prometheus sends the key as a bearer token).</item>
/// <item><c>Observability:Tracing</c>: traces without a collector (tests add their own exporter); on with OTLP.</item>
/// </list>
/// Traces cover incoming requests, the writer's batches (<see cref="BatchSpan"/>), database commands (Npgsql's own spans on
/// PostgreSQL; EF's and <see cref="Data.DirectSql"/>'s on SQLite) and outgoing calls (Stripe), whose W3C
/// <c>traceparent</c> carries the trace on. Metrics: ASP.NET Core's, HttpClient's, the runtime's, and the
/// <c>CharityPromo.Api</c> meter (<see cref="WriterStats"/>, <see cref="ApiMetrics"/>). docs/OPERATIONS.md lists them.
/// </summary>
internal static class Telemetry
{
    /// <summary>The ActivitySource and the Meter of the API's own spans and instruments.</summary>
    public const string Name = "CharityPromo.Api";
    public static readonly ActivitySource Source = new(Name);

    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton<ApiMetrics>();
        var otlp = !string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var prometheus = config.GetValue<bool>("Observability:Prometheus");
        var tracing = config.GetValue("Observability:Tracing", otlp);
        if (!tracing) KeepRequestActivities();
        if (!otlp && !prometheus && !tracing) return services;

        var telemetry = services.AddOpenTelemetry().ConfigureResource(r => r.AddService("charitypromo-api"));
        if (tracing)
            telemetry.WithTracing(t => t
                .AddSource(Name)
                .AddAspNetCoreInstrumentation(o =>
                {
                    o.Filter = http => !http.Request.Path.StartsWithSegments("/health");
                    o.EnrichWithHttpResponse = RouteNotPath;
                })
                .AddHttpClientInstrumentation()
                .AddEntityFrameworkCoreInstrumentation()
                .AddNpgsql());
        if (otlp || prometheus)
            telemetry.WithMetrics(m =>
            {
                m.AddMeter(Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation().AddNpgsqlInstrumentation();
                if (prometheus) m.AddPrometheusExporter();
            });
        if (otlp) telemetry.UseOtlpExporter();
        return services;
    }

    /// <summary>
    /// A span carries the route's template, never the path or query it was asked with: paths hold receipt codes (each
    /// opens a shopper's page) and customer references, and a collector is not the place for either.
    /// </summary>
    private static void RouteNotPath(Activity activity, HttpResponse response)
    {
        activity.SetTag("url.path", (response.HttpContext.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText is { } route ? "/" + route.TrimStart('/') : "(unmatched)");
        activity.SetTag("url.query", null);
    }

    private static readonly Lazy<ActivityListener> RequestActivities = new(() =>
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    });

    /// <summary>
    /// Without tracing, each request still gets its (unrecorded) activity: log lines carry its trace and span ids, and
    /// calls to Stripe carry a caller's <c>traceparent</c> on. ASP.NET Core would otherwise create one only for its own
    /// request logging, whose scope prints the path (receipt codes) and so is off in appsettings.json.
    /// </summary>
    private static void KeepRequestActivities() => _ = RequestActivities.Value;

    /// <summary><c>GET /metrics</c> for Prometheus, to monitor and admin keys, when <c>Observability:Prometheus</c> is on.</summary>
    public static void MapMetrics(this WebApplication app)
    {
        if (app.Configuration.GetValue<bool>("Observability:Prometheus"))
            app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(Access.Policies.Monitors);
    }

    /// <summary>
    /// A write batch's span. One batch serves many requests: its parent is the first write's caller, and every other
    /// caller is a link, so each request's trace leads to the batch that wrote it and on to its database commands.
    /// </summary>
    public static Activity? BatchSpan(IEnumerable<ActivityContext?> callers)
    {
        if (!Source.HasListeners()) return null;
        var contexts = callers.Where(c => c is not null).Select(c => c!.Value).ToList();
        return Source.StartActivity("write batch", ActivityKind.Internal, contexts.FirstOrDefault(),
            links: contexts.Skip(1).Select(c => new ActivityLink(c)));
    }

    /// <summary>
    /// A span for statements <see cref="Data.DirectSql"/> runs on SQLite, which has no instrumentation of its own (Npgsql
    /// traces PostgreSQL's). The text is parameterised: values never reach a trace.
    /// </summary>
    public static Activity? SqliteSpan(string statement) => Source.HasListeners() ? StartSqlite(statement, 1) : null;

    /// <inheritdoc cref="SqliteSpan(string)"/>
    public static Activity? SqliteSpan(IEnumerable<string> statements)
    {
        if (!Source.HasListeners()) return null;
        var texts = statements.ToList();
        return StartSqlite(string.Join(";\n", texts), texts.Count);
    }

    private static Activity? StartSqlite(string text, int statements)
    {
        var span = Source.StartActivity("sqlite", ActivityKind.Client);
        span?.SetTag("db.system.name", "sqlite");
        span?.SetTag("db.query.text", text);
        if (statements > 1) span?.SetTag("db.operation.batch.size", statements);
        return span;
    }
}
