using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using CharityPromo.Api.Access;
using Microsoft.AspNetCore.RateLimiting;

namespace CharityPromo.Api.Reports;

/// <summary>Section <c>Reports</c>: what one key's reports may cost the database and Stripe at once.</summary>
internal sealed class ReportsOptions
{
    public const string Section = "Reports";

    /// <summary>Reports and exports one API client may run at the same time; one more is a 429 (<c>Reports__MaxConcurrent</c>).</summary>
    [Range(1, 100)] public int MaxConcurrent { get; set; } = 2;

    /// <summary>
    /// Stripe requests per second the reconciliation report makes, all its runs together (<c>Reports__StripeCallsPerSecond</c>):
    /// under Stripe's read limit (25 a second in test mode, 100 live), leaving room for the checkout's own calls.
    /// </summary>
    [Range(1, 1000)] public int StripeCallsPerSecond { get; set; } = 20;
}

internal static class ReportLimits
{
    public const string Policy = "reports";

    /// <summary>A reconciliation re-reads every Stripe payment of its period: at most a year at a time.</summary>
    public const int MaxReconciliationDays = 366;

    public static IServiceCollection AddReportLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ReportsOptions>().Bind(configuration.GetSection(ReportsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var maxConcurrent = (configuration.GetSection(ReportsOptions.Section).Get<ReportsOptions>() ?? new ReportsOptions()).MaxConcurrent;
        // Per API client, not per address: finance staff behind one office NAT each have their own key. Beyond the limit the
        // request is refused at once (no queue) with the rate limiter's 429 and Retry-After.
        services.Configure<RateLimiterOptions>(o => o.AddPolicy(Policy, http => RateLimitPartition.GetConcurrencyLimiter(
            http.User.FindFirst(Scopes.ClientIdClaim)?.Value ?? "",
            _ => new ConcurrencyLimiterOptions { PermitLimit = maxConcurrent, QueueLimit = 0 })));
        return services;
    }
}
