using Microsoft.Extensions.Options;
using Stripe;

namespace CharityPromo.Api.Payments;

internal static class PaymentsSetup
{
    private const string HttpClientName = "Stripe";
    private const string PacedHttpClientName = "StripePaced";

    /// <summary>The key of the StripeClient whose requests are paced (<see cref="StripePacing"/>), for bulk readers.</summary>
    public const string Paced = "paced";

    public static IServiceCollection AddStripePayments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StripeOptions>().Bind(configuration.GetSection(StripeOptions.Section))
            .Validate(o => Uri.TryCreate(o.ApiBase, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https", "Stripe:ApiBase must be an absolute http(s) URL.")
            .Validate(o => !o.IsConfigured || o.SecretKey!.StartsWith("sk_", StringComparison.Ordinal) || o.SecretKey.StartsWith("rk_", StringComparison.Ordinal),
                "Stripe:SecretKey must be a secret (sk_…) or restricted (rk_…) key.")
            .Validate(o => o.MaxRetries is >= 0 and <= 5 && o.Timeout > TimeSpan.Zero, "Stripe:MaxRetries must be 0 to 5 and Stripe:Timeout positive.")
            .Validate(o => o.ReconcileMaxCalls is >= 2 and <= 1000 && o.AbandonAfter > o.ReconcileAfter,
                "Stripe:ReconcileMaxCalls must be 2 to 1000, and Stripe:AbandonAfter longer than Stripe:ReconcileAfter.")
            .ValidateOnStart();
        services.AddTransient<StripeHttpLogging>();
        // One StripeClient for the process, as Stripe.net intends: building one (its user-agent string, its HTTP wrapper)
        // is costly, and every purchase handler takes one, whatever its payment method. Its HttpClient is created once,
        // so the factory's handler is never rotated; the pooled connections are renewed every few minutes instead, which
        // picks up DNS changes the way rotation would. Stripe.net pins its own API version, sets the idempotency keys
        // we pass, and retries on its own rules.
        services.AddHttpClient(HttpClientName, (s, http) => http.Timeout = s.GetRequiredService<IOptions<StripeOptions>>().Value.Timeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler<StripeHttpLogging>();
        services.AddHttpClient(PacedHttpClientName, (s, http) => http.Timeout = s.GetRequiredService<IOptions<StripeOptions>>().Value.Timeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler(s => new StripePacing(s.GetRequiredService<IOptions<Reports.ReportsOptions>>().Value.StripeCallsPerSecond))
            .AddHttpMessageHandler<StripeHttpLogging>();
        services.AddSingleton(s => NewClient(s, HttpClientName));
        services.AddKeyedSingleton(Paced, (s, _) => NewClient(s, PacedHttpClientName));
        services.AddTransient<StripeRefunds>();
        services.AddScoped<StripeCheckout>();
        services.AddScoped<StripeEventProcessor>();
        services.AddSingleton<StripeReconciler>();
        services.AddHostedService(s => s.GetRequiredService<StripeReconciler>());
        return services;
    }

    private static StripeClient NewClient(IServiceProvider s, string httpClientName)
    {
        var options = s.GetRequiredService<IOptions<StripeOptions>>().Value;
        var http = s.GetRequiredService<IHttpClientFactory>().CreateClient(httpClientName);
        return new StripeClient(new StripeClientOptions
        {
            ApiKey = options.SecretKey,
            ApiBase = options.ApiBase.TrimEnd('/'),
            HttpClient = new SystemNetHttpClient(http, options.MaxRetries, appInfo: null, enableTelemetry: false),
        });
    }
}
