using System.Security.Cryptography;
using System.Text;
using CharityPromo.Api.Access;
using CharityPromo.Api.Data;

namespace CharityPromo.Api.Infrastructure;

/// <summary>
/// Checks a write's Idempotency-Key header and notes who sent it, under which key, with which request
/// (<see cref="IdempotentRequest"/>), for <see cref="Writes"/> to store and replay the answer. Reads pass straight
/// through. It only reads the request: the handler writes by calling <see cref="Writes"/> itself.
/// </summary>
internal sealed class IdempotencyKeyFilter : IEndpointFilter
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)) return await next(context);
        var key = http.Request.Headers[HeaderName].ToString();

        if (key.Length == 0 && http.GetEndpoint()?.Metadata.GetMetadata<IdempotencyKeyRequired>() is not null)
            return Problems.Invalid(HeaderName, "This write needs an Idempotency-Key header, unique per attempt at the operation (a UUID is ideal).");
        if (key.Length > Limits.IdempotencyKey || key.Any(c => c < 0x21 || c > 0x7e))
            return Problems.Invalid(HeaderName, $"The Idempotency-Key must be 1 to {Limits.IdempotencyKey} visible ASCII characters.");

        var fingerprint = key.Length > 0
            ? await FingerprintAsync(http.Request, http.RequestServices.GetRequiredService<Purchases.CustomerRefHasher>().FingerprintKey, http.RequestAborted)
            : "";
        http.Features.Set(new IdempotentRequest(http.User.ClientId(), key, fingerprint));
        return await next(context);
    }

    /// <summary>
    /// HMAC-SHA256, with a server key, over method, path and the raw body (buffered by
    /// <see cref="IdempotencyKeyFilterExtensions.UseRequestBuffering"/>): bodies and paths carry customer references, and an
    /// unkeyed hash of one could be reversed by hashing likely references until one matches.
    /// </summary>
    private static async Task<string> FingerprintAsync(HttpRequest request, byte[] key, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
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
    /// <summary>What <see cref="IdempotencyKeyFilter"/> recorded about this request.</summary>
    public static IdempotentRequest Of(HttpContext http) =>
        http.Features.Get<IdempotentRequest>() ?? throw new InvalidOperationException("The endpoint is not behind the IdempotencyKeyFilter.");
}

/// <summary>Endpoint metadata: the write refuses to run without an Idempotency-Key.</summary>
internal sealed class IdempotencyKeyRequired;

internal static class IdempotencyKeyFilterExtensions
{
    /// <summary>Every write of the group may carry an Idempotency-Key (<see cref="IdempotencyKeyFilter"/>).</summary>
    public static RouteGroupBuilder WithIdempotencyKeys(this RouteGroupBuilder group) => group.AddEndpointFilter<IdempotencyKeyFilter>();

    public static RouteHandlerBuilder RequireIdempotencyKey(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new IdempotencyKeyRequired());

    /// <summary>Keeps bodies of requests that carry an Idempotency-Key readable again, for the fingerprint.</summary>
    public static IApplicationBuilder UseRequestBuffering(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.Request.Headers.ContainsKey(IdempotencyKeyFilter.HeaderName)) context.Request.EnableBuffering();
            return next(context);
        });
}
