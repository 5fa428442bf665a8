using Microsoft.AspNetCore.Authentication;

namespace CharityPromo.Api.Access;

internal static class Policies
{
    /// <summary>Who may read purchases: checkout keys (their own), finance and admin keys (all).</summary>
    public const string PurchaseReaders = "purchase-readers";

    /// <summary>Who may refund: checkout keys (their own purchases) and admin keys.</summary>
    public const string Refunders = "refunders";

    /// <summary>Who may watch the service (metrics, invariants, writer stats): monitor and admin keys.</summary>
    public const string Monitors = "monitors";
}

internal static class AccessSetup
{
    /// <summary>API-key authentication; one policy per scope; everything not marked anonymous needs a key.</summary>
    public static IServiceCollection AddApiKeyAccess(this IServiceCollection services)
    {
        // Not AddAuthentication(): it also registers ASP.NET's data protection (for cookie handlers), whose hosted
        // service loads a key ring at every start — creating one under ~/.aspnet on the first — and keeps the XML
        // stack resident. API keys need none of it.
        services.AddAuthenticationCore(o => o.DefaultScheme = ApiKeyAuthentication.SchemeName);
        services.AddSingleton<UnknownKeys>();
        services.AddWebEncoders();
        new AuthenticationBuilder(services)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Scopes.Admin, p => p.RequireClaim(Scopes.ClaimType, Scopes.Admin))
            .AddPolicy(Scopes.Checkout, p => p.RequireClaim(Scopes.ClaimType, Scopes.Checkout))
            .AddPolicy(Scopes.Finance, p => p.RequireClaim(Scopes.ClaimType, Scopes.Finance))
            .AddPolicy(Policies.PurchaseReaders, p => p.RequireClaim(Scopes.ClaimType, Scopes.Checkout, Scopes.Finance, Scopes.Admin))
            .AddPolicy(Policies.Refunders, p => p.RequireClaim(Scopes.ClaimType, Scopes.Checkout, Scopes.Admin))
            .AddPolicy(Policies.Monitors, p => p.RequireClaim(Scopes.ClaimType, Scopes.Monitor, Scopes.Admin));
        return services;
    }
}
