using CharityPromo.Api.Payments.Stripe;

namespace CharityPromo.Api.Payments;

internal static class PaymentsSetup
{
    public static IServiceCollection AddStripePayments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StripeOptions>().Bind(configuration.GetSection(StripeOptions.Section))
            .Validate(o => Uri.TryCreate(o.ApiBase, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https", "Stripe:ApiBase must be an absolute http(s) URL.")
            .Validate(o => !o.IsConfigured || o.SecretKey!.StartsWith("sk_", StringComparison.Ordinal) || o.SecretKey.StartsWith("rk_", StringComparison.Ordinal),
                "Stripe:SecretKey must be a secret (sk_…) or restricted (rk_…) key.")
            .Validate(o => o.MaxRetries is >= 0 and <= 5 && o.Timeout > TimeSpan.Zero, "Stripe:MaxRetries must be 0 to 5 and Stripe:Timeout positive.")
            .ValidateOnStart();
        // The client sets a timeout per attempt, so HttpClient's own is off.
        services.AddHttpClient<StripeClient>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.AddTransient<PaymentIntentService>();
        services.AddTransient<RefundService>();
        services.AddTransient<EventService>();
        services.AddTransient<StripeRefunds>();
        services.AddScoped<StripeCheckout>();
        services.AddScoped<StripeEventProcessor>();
        services.AddSingleton<StripeReconciler>();
        services.AddHostedService(s => s.GetRequiredService<StripeReconciler>());
        return services;
    }
}
