using System.Security.Cryptography;
using System.Text;
using CharityPromo.Api.Data;

namespace CharityPromo.Api.Infrastructure;

/// <summary>
/// A write and the response it gave commit together, inside the <see cref="WriteBatcher"/>'s transaction, so a
/// write is either whole and replayable or not there at all. A retry with the same key and the same request gets
/// the first response again (<c>Idempotent-Replayed: true</c>); the same key with another request gets 422.
/// </summary>
internal sealed class IdempotentWrites(WriteBatcher writer, SqliteReaders readers, TimeProvider clock, ILogger<IdempotentWrites> logger)
{
    /// <summary>Runs <paramref name="work"/> in the writer's transaction, or replays the response it gave before.</summary>
    public async Task<IResult> RunAsync(HttpContext http, Func<AppDb, Task<IResult>> work)
    {
        var request = IdempotentRequest.Of(http);
        // A retry of a committed write is answered here, off the single writer thread. One racing its first attempt
        // gets past this look; the writer settles it when storing the response (below).
        if (request.Key.Length > 0 && await FindAsync(http.RequestServices.GetRequiredService<AppDb>(), request) is { } earlier)
            return Replay(earlier, request.Fingerprint);
        return await writer.RunAsync(db => WriteAsync(db, http, work, request));
    }

    /// <summary>The stored answer to this request, if it was already answered (for handlers that call out first).</summary>
    public async Task<IResult?> TryReplayAsync(HttpContext http, AppDb db)
    {
        var request = IdempotentRequest.Of(http);
        return request.Key.Length > 0 && await FindAsync(db, request) is { } earlier ? Replay(earlier, request.Fingerprint) : null;
    }

    private async Task<WriteBatcher.Outcome> WriteAsync(AppDb db, HttpContext http, Func<AppDb, Task<IResult>> work, IdempotentRequest request)
    {
        var captured = await CaptureAsync(http, await work(db));
        // Like Stripe: a request refused as invalid (400) or failing on our side (5xx) stores nothing,
        // so the client may correct it and retry under the same key — unless an attempt racing this one stored its answer.
        if (captured.StatusCode >= 500 || captured.StatusCode == StatusCodes.Status400BadRequest)
            return request.Key.Length > 0 && await FindAsync(db, request) is { } raced
                ? new(Replay(raced, request.Fingerprint), Keep: false)
                : new(new CapturedResult(captured), Keep: false);

        if (db.ChangeTracker.HasChanges()) await db.SaveChangesGuardedAsync(); // anything the handler left unsaved
        if (request.Key.Length > 0)
        {
            // Plain SQL, like the totals: one statement per write instead of a SaveChanges. DO NOTHING means the same key
            // was stored first — earlier in this batch, or by another instance (this waited for its commit): undo this
            // attempt's work and answer as the first did.
            var now = clock.GetUtcNow().UtcDateTime;
            var stored = await db.ExecuteAsync($"""
                INSERT INTO "IdempotencyRecords" ("ClientId", "Key", "Fingerprint", "StatusCode", "ContentType", "Location", "Body", "CreatedUtc")
                VALUES ({request.ClientId}, {request.Key}, {request.Fingerprint}, {captured.StatusCode}, {captured.ContentType}, {captured.Location}, {captured.Body}, {now})
                ON CONFLICT ("ClientId", "Key") DO NOTHING
                """);
            if (stored == 0)
            {
                logger.LogInformation("Idempotency-Key already committed by a concurrent request; replaying its response.");
                return new(Replay((await FindAsync(db, request))!, request.Fingerprint), Keep: false);
            }
        }
        return new(new CapturedResult(captured), Keep: true);
    }

    // Plain SQL on a prepared command (DirectSql.ReadRowAsync): it runs before every write.
    private Task<IdempotencyRecord?> FindAsync(AppDb db, IdempotentRequest request) => db.ReadRowAsync(readers, $"""
        SELECT "Fingerprint", "StatusCode", "ContentType", "Location", "Body" FROM "IdempotencyRecords"
        WHERE "ClientId" = {request.ClientId} AND "Key" = {request.Key}
        """, row => new IdempotencyRecord
        {
            ClientId = request.ClientId, Key = request.Key, Fingerprint = row.GetString(0), StatusCode = row.GetInt32(1),
            ContentType = row.IsDBNull(2) ? null : row.GetString(2), Location = row.IsDBNull(3) ? null : row.GetString(3),
            Body = row.GetFieldValue<byte[]>(4),
        });

    /// <summary>The first answer again, or 422 when the key came with another request.</summary>
    public static IResult Replay(IdempotencyRecord earlier, string fingerprint) =>
        SameFingerprint(earlier.Fingerprint, fingerprint)
            ? new CapturedResult(new Captured(earlier.StatusCode, earlier.ContentType, earlier.Location, earlier.Body), Replayed: true)
            : KeyReused();

    public static bool SameFingerprint(string earlier, string now) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(earlier), Encoding.ASCII.GetBytes(now));

    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult KeyReused() => TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]>
    {
        [WriteFilter.HeaderName] = ["This Idempotency-Key was already used for a different request. Use a new key for a new request."],
    })
    {
        Status = StatusCodes.Status422UnprocessableEntity,
        Type = ProblemTypes.IdempotencyKeyReused,
        Title = "Idempotency-Key reused",
    });

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

    private sealed record Captured(int StatusCode, string? ContentType, string? Location, byte[] Body);

    private sealed record CapturedResult(Captured Response, bool Replayed = false) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = Response.StatusCode;
            if (Response.ContentType is not null) http.Response.ContentType = Response.ContentType;
            if (Response.Location is not null) http.Response.Headers.Location = Response.Location;
            if (Replayed) http.Response.Headers[WriteFilter.ReplayedHeader] = "true";
            // Nothing to write for a 204: Kestrel refuses even an empty write to one, and dropped the connection after it.
            if (Response.Body.Length == 0) return;
            http.Response.ContentLength = Response.Body.Length;
            await http.Response.Body.WriteAsync(Response.Body, http.RequestAborted);
        }
    }
}
