using System.Security.Claims;
using System.Text.Encodings.Web;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CharityPromo.Api.Access;

/// <summary>Reads "Authorization: Bearer cp_…", finds the key by its hash, and answers 401/403 as problem details.</summary>
internal sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AppDb db, SqliteReaders readers)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    private sealed record KeyRow(Guid Id, string Name, string Scopes);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <api key>'.");

        var hash = ApiKeys.Hash(header["Bearer ".Length..].Trim());
        var key = await db.ReadRowAsync(readers, $"""
            SELECT "Id", "Name", "Scopes" FROM "ApiKeys" WHERE "Hash" = {hash} AND "RevokedUtc" IS NULL
            """, row => new KeyRow(row.GetGuid(0), row.GetString(1), row.GetString(2)), Context.RequestAborted);
        if (key is null) return AuthenticateResult.Fail("Unknown or revoked API key.");

        var claims = new List<Claim> { new(ClaimTypes.Name, key.Name), new(Scopes.ClientIdClaim, key.Id.ToString()) };
        claims.AddRange(key.Scopes.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => new Claim(Scopes.ClaimType, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, ProblemTypes.Unauthorized,
            "Authentication required", "Send an API key as 'Authorization: Bearer <key>'. Missing, unknown and revoked keys are refused.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, ProblemTypes.Forbidden,
            "Missing scope", "This API key does not have the scope this endpoint needs.");
}
