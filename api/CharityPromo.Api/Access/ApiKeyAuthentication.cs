using System.Security.Claims;
using System.Text.Encodings.Web;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CharityPromo.Api.Access;

/// <summary>Reads "Authorization: Bearer cp_…", finds the key by its hash, and answers 401/403 as problem details.</summary>
internal sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AppDb db, SqliteReaders readers,
    TimeProvider clock, KeyUsage usage, UnknownKeys unknownKeys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    private const string ExpiredItem = "api-key-expired";
    private const string ThrottledItem = "api-key-lookups-spent";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <api key>'.");

        var token = header["Bearer ".Length..].Trim();
        // Junk, typos and forged checksums cost neither a lookup nor anyone's budget.
        if (ApiKeys.ShapeOf(token) == KeyShape.Malformed) return AuthenticateResult.Fail("Malformed API key.");
        var hash = ApiKeys.Hash(token);
        if (unknownKeys.IsKnownUnknown(hash)) return AuthenticateResult.Fail("Unknown or revoked API key.");
        var address = Context.Connection.RemoteIpAddress?.ToString() ?? "";
        if (!unknownKeys.MayLookUp(hash, address))
        {
            Context.Items[ThrottledItem] = true;
            return AuthenticateResult.Fail("Too many unknown API keys from this address.");
        }
        var key = await db.FindActiveKeyAsync(readers, hash, Context.RequestAborted);
        if (key is null)
        {
            unknownKeys.Missed(hash, address);
            return AuthenticateResult.Fail("Unknown or revoked API key.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (key.ExpiresUtc <= now)
        {
            Context.Items[ExpiredItem] = key.ExpiresUtc;
            return AuthenticateResult.Fail("Expired API key.");
        }
        unknownKeys.Found(hash);
        usage.Seen(key.Id, key.LastUsedUtc, now);

        var claims = new List<Claim> { new(ClaimTypes.Name, key.Name), new(Scopes.ClientIdClaim, key.ClientId.ToString()) };
        claims.AddRange(key.Scopes.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => new Claim(Scopes.ClaimType, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items.ContainsKey(ThrottledItem))
        {
            Response.Headers.RetryAfter = "1";
            return Problems.WriteAsync(Context, StatusCodes.Status429TooManyRequests, ProblemTypes.RateLimited, "Too many unknown API keys",
                "This address sent more unknown API keys than the limit allows; retry after 1 s with a valid key.");
        }
        Response.Headers.WWWAuthenticate = "Bearer";
        return Context.Items[ExpiredItem] is DateTime expired
            ? Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, ProblemTypes.Unauthorized, "API key expired",
                $"This API key expired at {expired:yyyy-MM-ddTHH:mm:ssZ}. Ask an operator for a new one (keys rotate, or keys create).")
            : Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, ProblemTypes.Unauthorized,
                "Authentication required", "Send an API key as 'Authorization: Bearer <key>'. Missing, unknown, revoked and expired keys are refused.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, ProblemTypes.Forbidden,
            "Missing scope", "This API key does not have the scope this endpoint needs.");
}
