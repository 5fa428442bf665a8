using CharityPromo.Api.Access;
using CharityPromo.Api.Audit;
using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Consents;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Ledger;
using CharityPromo.Api.Payments;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Purchases;
using CharityPromo.Api.Remittances;
using CharityPromo.Api.Reports;
using CharityPromo.Api.Webhooks;
using FluentValidation;

// Started from another directory (dotnet /opt/charitypromo/CharityPromo.Api.dll), the API still reads its own
// appsettings.json, whose log levels keep request paths (receipt codes, order ids) out of the log.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json")) ? null : AppContext.BaseDirectory,
});
var cliMode = args.FirstOrDefault() is "keys" or "seed-bulk" or "audit" or "customers";
if (cliMode)
{
    // The CLI prints the new key on stdout's last line: keep every log line on stderr.
    builder.Logging.ClearProviders().AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
}

// Every log line carries the trace and span of the request it belongs to.
builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddAppDb(builder.Configuration);
builder.Services.AddSingleton<CustomerRefHasher>();
builder.Services.AddTelemetry(builder.Configuration);
builder.Services.AddSingleton<WriterStats>();
builder.Services.AddSingleton<WriteBatcher>();
builder.Services.AddHostedService(services => services.GetRequiredService<WriteBatcher>());
builder.Services.AddSingleton<Writes>();
builder.Services.AddSingleton<KeyUsage>();
builder.Services.AddOptions<ShopOptions>().Bind(builder.Configuration.GetSection(ShopOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<IdempotencyOptions>().Bind(builder.Configuration.GetSection("Idempotency"))
    .Validate(o => o.RetentionDays >= 1 && o.SweepBatch is >= 1 and <= 10_000 && o.SweepEvery > TimeSpan.Zero,
        "Idempotency:RetentionDays must be at least 1, Idempotency:SweepBatch 1 to 10,000 and Idempotency:SweepEvery positive.")
    .ValidateOnStart();
builder.Services.AddSingleton<IdempotencyRetention>();
builder.Services.AddHostedService(services => services.GetRequiredService<IdempotencyRetention>());
builder.Services.AddStripePayments(builder.Configuration);
builder.Services.AddWebhooks(builder.Configuration);
builder.Services.AddKnownProxies(builder.Configuration);
builder.Services.AddPublicAddress(builder.Configuration);
builder.Services.AddSingleton<ReturnOrigins>();
builder.Services.AddApiKeyAccess();
builder.Services.AddApiRateLimits(builder.Configuration);
builder.Services.AddReportLimits(builder.Configuration);
builder.Services.AddApiHealthChecks();
builder.Services.AddPublicCache(builder.Configuration);
builder.Services.AddSwaggerDocs();
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<BadRequestHandler>();
builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton, includeInternalTypes: true); // ValidationFilter runs them
ValidatorOptions.Global.DefaultRuleLevelCascadeMode = CascadeMode.Stop; // a null field fails once, not in every later rule
ValidatorOptions.Global.PropertyNameResolver = ValidationNames.JsonPath;
ValidatorOptions.Global.DisplayNameResolver = ValidationNames.JsonPath;
builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true); // BadRequestHandler names the field
builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = builder.Configuration.GetValue("Limits:MaxRequestBodyBytes", 64 * 1024));

var app = builder.Build();
_ = app.Services.GetRequiredService<ReturnOrigins>(); // a malformed origin list stops the start, as ValidateOnStart would

await using (var scope = app.Services.CreateAsyncScope())
{
    var db = scope.ServiceProvider.GetRequiredService<AppDb>();
    await using (var owner = DataSetup.OwnerDb(app.Configuration)) await Migrator.MigrateAsync(owner ?? db);
    if (cliMode)
    {
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        return args[0] switch
        {
            "keys" => await KeysCli.RunAsync(db, args[1..], Console.Out, Console.Error, now),
            "audit" => await AuditCli.RunAsync(db, args[1..], Console.Out, Console.Error),
            "customers" => await CustomersCli.RunAsync(db, args[1..], Console.Out, Console.Error),
            _ => await BulkSeeder.RunAsync(db, args[1..], Console.Out, Console.Error, now),
        };
    }
    await app.Services.GetRequiredService<CustomerRefHasher>().LoadKeyAsync(db, app.Configuration, app.Environment, TimeProvider.System);
    await Consents.WarnOfGrandfatheredAsync(db, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CharityPromo.Api.Consents"), CancellationToken.None);
    await app.Services.GetRequiredService<WebhookSecrets>().LoadKeyAsync(db, TimeProvider.System);
}

app.UseKnownProxies(app.Configuration); // first: everything after sees the shopper's address, not the proxy's
app.UseRequestLog();
app.UseExceptionHandler();
app.UseStatusCodePages();
// Anonymous public reads are answered from the output cache before anything else runs: authentication,
// rate limiting, Swagger (the cache never serves or stores a request that carries an Authorization header).
app.UseOutputCache();
app.UseSwaggerDocs();
app.UseSwaggerUI(o => o.DocumentTitle = "CharityPromo API");
app.UseRequestBuffering();
app.UseUnsupportedMediaTypeProblems();
app.UseNoStoreForKeyedRequests();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();
app.UsePlainTextParameters();

app.MapGet("/", () => Results.Redirect("/swagger")).AllowAnonymous().ExcludeFromDescription();
app.MapLicense();
app.MapHealth();
app.MapCharities();
app.MapCharityOnboarding();
app.MapCharityPayments();
app.MapConsents();
app.MapCampaigns();
app.MapCampaignAccounting();
app.MapPledges();
app.MapPurchases();
app.MapReceipts();
app.MapCustomers();
app.MapReports();
app.MapRemittances();
app.MapRemittanceTransfers();
app.MapStripeWebhook();
app.MapWebhooks();
app.MapInvariants();
app.MapWriterStats();
app.MapAudit();
app.MapMetrics();

app.Run();
return 0;

public partial class Program;
