using Microsoft.Extensions.Options;

namespace CharityPromo.Api.Webhooks;

internal static class WebhooksSetup
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.Section))
            .Validate(o => o.RetryBase > TimeSpan.Zero && o.MaxRetryDelay >= o.RetryBase, "Webhooks:RetryBase must be positive and at most Webhooks:MaxRetryDelay.")
            .Validate(o => o.Timeout > TimeSpan.Zero && o.Lease > o.Timeout, "Webhooks:Timeout must be positive and Webhooks:Lease longer than it.")
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.BatchSize is >= 1 and <= 500, "Webhooks:PollInterval must be positive and Webhooks:BatchSize 1 to 500.")
            .ValidateOnStart();
        services.AddSingleton<WebhookSecrets>();
        // Redirects are not followed (a 3xx is an answer, and a failed one) and no proxy is used: the connection goes to
        // the address WebhookTargets checked, nowhere else.
        services.AddHttpClient(WebhookDispatcher.HttpClientName, (s, http) => http.Timeout = s.GetRequiredService<IOptions<WebhookOptions>>().Value.Timeout)
            .ConfigurePrimaryHttpMessageHandler(s => new SocketsHttpHandler
            {
                ConnectCallback = WebhookTargets.Connect(s.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowLoopback),
                AllowAutoRedirect = false,
                UseProxy = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            });
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(s => s.GetRequiredService<WebhookDispatcher>());
        return services;
    }
}
