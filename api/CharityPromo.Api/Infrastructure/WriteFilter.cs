using System.Security.Cryptography;
using System.Text;
using CharityPromo.Api.Access;
using CharityPromo.Api.Data;

namespace CharityPromo.Api.Infrastructure;

/// <summary>
/// The one path every write takes (reads pass straight through): it checks the Idempotency-Key, then runs the
/// handler through <see cref="IdempotentWrites"/> — inside the <see cref="WriteBatcher"/>'s transaction, on its
/// <see cref="AppDb"/>. Endpoints marked <see cref="WriteFilterExtensions.RunsOwnWrites"/> (those that call Stripe,
/// which must not happen inside the transaction) run as they are and use <see cref="IdempotentWrites"/> themselves.
/// </summary>
internal sealed class WriteFilter(IdempotentWrites writes) : IEndpointFilter
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)) return await next(context);
        var key = http.Request.Headers[HeaderName].ToString();
        var metadata = http.GetEndpoint()?.Metadata;

        if (key.Length == 0 && metadata?.GetMetadata<IdempotencyKeyRequired>() is not null)
            return Problems.Invalid(HeaderName, "This write needs an Idempotency-Key header, unique per attempt at the operation (a UUID is ideal).");
        if (key.Length > Limits.IdempotencyKey || key.Any(c => c < 0x21 || c > 0x7e))
            return Problems.Invalid(HeaderName, $"The Idempotency-Key must be 1 to {Limits.IdempotencyKey} visible ASCII characters.");

        var fingerprint = key.Length > 0 ? await FingerprintAsync(http.Request, http.RequestAborted) : "";
        http.Features.Set(new IdempotentRequest(http.User.ClientId(), key, fingerprint));
        if (metadata?.GetMetadata<OwnsItsWrites>() is not null) return await next(context);

        return await writes.RunAsync(http, async db =>
        {
            // The handler was bound to the request's AppDb; it writes through the batch's instead.
            for (var i = 0; i < context.Arguments.Count; i++)
                if (context.Arguments[i] is AppDb) context.Arguments[i] = db;
            return await next(context) as IResult ?? throw new InvalidOperationException("Write endpoints must return an IResult.");
        });
    }

    /// <summary>SHA-256 over method, path and the raw body (buffered by <see cref="WriteFilterExtensions.UseRequestBuffering"/>).</summary>
    private static async Task<string> FingerprintAsync(HttpRequest request, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}\n"));
        if (request.Body.CanSeek)
        {
            request.Body.Position = 0;
            var chunk = new byte[8192];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0) hash.AppendData(chunk, 0, read);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}

/// <summary>Who sent a write, under which Idempotency-Key ("" when none), and the request's fingerprint.</summary>
internal sealed record IdempotentRequest(Guid ClientId, string Key, string Fingerprint)
{
    /// <summary>What <see cref="WriteFilter"/> recorded about this request.</summary>
    public static IdempotentRequest Of(HttpContext http) =>
        http.Features.Get<IdempotentRequest>() ?? throw new InvalidOperationException("The endpoint is not behind the WriteFilter.");
}

/// <summary>Endpoint metadata: the write refuses to run without an Idempotency-Key.</summary>
internal sealed class IdempotencyKeyRequired;

/// <summary>Endpoint metadata: the handler calls <see cref="IdempotentWrites"/> itself, around an outside call.</summary>
internal sealed class OwnsItsWrites;

internal static class WriteFilterExtensions
{
    /// <summary>Every endpoint of the group writes through <see cref="WriteFilter"/>.</summary>
    public static RouteGroupBuilder WithWriteFilter(this RouteGroupBuilder group) => group.AddEndpointFilter<WriteFilter>();

    public static RouteHandlerBuilder RequireIdempotencyKey(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new IdempotencyKeyRequired());

    public static RouteHandlerBuilder RunsOwnWrites(this RouteHandlerBuilder builder) => builder.WithMetadata(new OwnsItsWrites());

    /// <summary>Keeps bodies of requests that carry an Idempotency-Key readable again, for the fingerprint.</summary>
    public static IApplicationBuilder UseRequestBuffering(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.Request.Headers.ContainsKey(WriteFilter.HeaderName)) context.Request.EnableBuffering();
            return next(context);
        });
}
