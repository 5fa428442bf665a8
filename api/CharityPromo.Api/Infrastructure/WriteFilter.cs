using System.Security.Cryptography;
using System.Text;
using CharityPromo.Api.Access;
using CharityPromo.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Infrastructure;

/// <summary>
/// The one path every write takes (reads pass straight through). The handler runs in the
/// <see cref="WriteBatcher"/>'s transaction, on its <see cref="AppDb"/>, and its changes commit together with
/// the response it gave for the request's Idempotency-Key, so a write is either whole and replayable or not
/// there at all. A retry with the same key and the same request gets the first response again; the same
/// key with another request gets 422.
/// </summary>
internal sealed class WriteFilter(WriteBatcher writer, TimeProvider clock, ILogger<WriteFilter> logger) : IEndpointFilter
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)) return await next(context);
        var key = http.Request.Headers[HeaderName].ToString();
        var keyRequired = http.GetEndpoint()?.Metadata.GetMetadata<IdempotencyKeyRequired>() is not null;

        if (key.Length == 0 && keyRequired)
            return Problems.Invalid(HeaderName, "This write needs an Idempotency-Key header, unique per attempt at the operation (a UUID is ideal).");
        if (key.Length > Limits.IdempotencyKey || key.Any(c => c < 0x21 || c > 0x7e))
            return Problems.Invalid(HeaderName, $"The Idempotency-Key must be 1 to {Limits.IdempotencyKey} visible ASCII characters.");

        var clientId = http.User.ClientId();
        var fingerprint = key.Length > 0 ? await FingerprintAsync(http.Request, http.RequestAborted) : "";
        return await writer.RunAsync(db => WriteAsync(db, context, next, clientId, key, fingerprint));
    }

    /// <summary>Runs inside the writer's transaction: replay, or run the handler and keep what it wrote with its response.</summary>
    private async Task<WriteBatcher.Outcome> WriteAsync(AppDb db, EndpointFilterInvocationContext context, EndpointFilterDelegate next,
        Guid clientId, string key, string fingerprint)
    {
        if (key.Length > 0 && await FindAsync(db, clientId, key) is { } earlier)
            return new(Replay(earlier, fingerprint), Keep: false);

        // The handler was bound to the request's AppDb; it writes through the batch's instead.
        for (var i = 0; i < context.Arguments.Count; i++)
            if (context.Arguments[i] is AppDb) context.Arguments[i] = db;

        if (await next(context) is not IResult result)
            throw new InvalidOperationException("Write endpoints must return an IResult.");
        var captured = await CaptureAsync(context.HttpContext, result);
        // Like Stripe: a request refused as invalid (400) or failing on our side (5xx) stores nothing,
        // so the client may correct it and retry under the same key.
        if (captured.StatusCode >= 500 || captured.StatusCode == StatusCodes.Status400BadRequest)
            return new(new CapturedResult(captured), Keep: false);

        if (key.Length > 0)
        {
            db.IdempotencyRecords.Add(new IdempotencyRecord
            {
                ClientId = clientId,
                Key = key,
                Fingerprint = fingerprint,
                StatusCode = captured.StatusCode,
                ContentType = captured.ContentType,
                Location = captured.Location,
                Body = captured.Body,
                CreatedUtc = clock.GetUtcNow().UtcDateTime,
            });
        }
        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException ex) when (key.Length > 0 && DbErrors.IsUniqueViolation(ex))
        {
            // Another instance committed the same key first: answer as it did.
            logger.LogInformation("Idempotency-Key already committed by a concurrent request; replaying its response.");
            db.ChangeTracker.Clear();
            return new(Replay((await FindAsync(db, clientId, key))!, fingerprint), Keep: false);
        }
        return new(new CapturedResult(captured), Keep: true);
    }

    private static Task<IdempotencyRecord?> FindAsync(AppDb db, Guid clientId, string key) =>
        db.IdempotencyRecords.AsNoTracking().SingleOrDefaultAsync(r => r.ClientId == clientId && r.Key == key);

    private static IResult Replay(IdempotencyRecord earlier, string fingerprint)
    {
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(earlier.Fingerprint), Encoding.ASCII.GetBytes(fingerprint)))
        {
            return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]>
            {
                [HeaderName] = ["This Idempotency-Key was already used for a different request. Use a new key for a new request."],
            })
            {
                Status = StatusCodes.Status422UnprocessableEntity,
                Type = ProblemTypes.IdempotencyKeyReused,
                Title = "Idempotency-Key reused",
            });
        }
        return new CapturedResult(new Captured(earlier.StatusCode, earlier.ContentType, earlier.Location, earlier.Body), Replayed: true);
    }

    /// <summary>Runs the handler's result into a buffer so the exact bytes can be stored and replayed.</summary>
    private static async Task<Captured> CaptureAsync(HttpContext http, IResult result)
    {
        var original = http.Response.Body;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try
        {
            await result.ExecuteAsync(http);
            await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
        }
        finally
        {
            http.Response.Body = original;
        }
        return new Captured(http.Response.StatusCode, http.Response.ContentType, http.Response.Headers.Location.ToString() is { Length: > 0 } l ? l : null,
            buffer.ToArray());
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

    private sealed record Captured(int StatusCode, string? ContentType, string? Location, byte[] Body);

    private sealed record CapturedResult(Captured Response, bool Replayed = false) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = Response.StatusCode;
            if (Response.ContentType is not null) http.Response.ContentType = Response.ContentType;
            if (Response.Location is not null) http.Response.Headers.Location = Response.Location;
            if (Replayed) http.Response.Headers[ReplayedHeader] = "true";
            http.Response.ContentLength = Response.Body.Length;
            await http.Response.Body.WriteAsync(Response.Body, http.RequestAborted);
        }
    }
}

/// <summary>Endpoint metadata: the write refuses to run without an Idempotency-Key.</summary>
internal sealed class IdempotencyKeyRequired;

internal static class WriteFilterExtensions
{
    /// <summary>Every endpoint of the group writes through <see cref="WriteFilter"/>.</summary>
    public static RouteGroupBuilder WithWriteFilter(this RouteGroupBuilder group) => group.AddEndpointFilter<WriteFilter>();

    public static RouteHandlerBuilder RequireIdempotencyKey(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new IdempotencyKeyRequired());

    /// <summary>Keeps bodies of requests that carry an Idempotency-Key readable again, for the fingerprint.</summary>
    public static IApplicationBuilder UseRequestBuffering(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.Request.Headers.ContainsKey(WriteFilter.HeaderName)) context.Request.EnableBuffering();
            return next(context);
        });
}
