using System.Security.Cryptography;
using System.Text;
using CharityPromo.Api.Data;

namespace CharityPromo.Api.Infrastructure;

/// <summary>
/// The one way to write. An endpoint, a webhook, the reconciler or a sweep hands a unit of work to <c>RunAsync</c>; the
/// single writer (<see cref="WriteBatcher"/>, group commit) runs it in its transaction, on the writer's own
/// <see cref="AppDb"/>, in a savepoint of its own. One rule decides what stays:
/// <list type="bullet">
/// <item>A work that answers below 400 (or answers nothing) is kept, and whatever it left tracked is saved with it.</item>
/// <item>One that answers 400 or above, or throws, is undone: nothing it did stays.</item>
/// <item>A request's answer (<see cref="RunAsync(HttpContext, Func{AppDb, Task{IResult}})"/>) is stored under its
/// Idempotency-Key in the same transaction and replayed to a retry with the same key and request
/// (<c>Idempotent-Replayed: true</c>); the same key with another request gets 422. Like Stripe, a 400 or a 5xx is not
/// stored, so the client may correct the request and retry under the same key.</item>
/// </list>
/// </summary>
internal sealed class Writes(WriteBatcher writer, SqliteReaders readers, TimeProvider clock, ILogger<Writes> logger)
{
    /// <summary>A request's write: run, kept or undone by its answer, stored for replay; or the answer it gave before.</summary>
    public async Task<IResult> RunAsync(HttpContext http, Func<AppDb, Task<IResult>> work)
    {
        var request = IdempotentRequest.Of(http);
        // A retry of a committed write is answered here, off the single writer thread. One racing its first attempt
        // gets past this look; the writer settles it when storing the response (below).
        if (request.Key.Length > 0 && await FindAsync(http.RequestServices.GetRequiredService<AppDb>(), request) is { } earlier)
            return Replay(earlier, request.Fingerprint);
        return await writer.RunAsync(db => WriteAsync(db, http, work, request));
    }

    /// <summary>A write whose answer decides whether it is kept, with nothing stored: a step of a request that answers later.</summary>
    public Task<IResult> RunAsync(Func<AppDb, Task<IResult>> work) => writer.RunAsync(async db =>
    {
        var answer = await work(db);
        if (StatusOf(answer) >= 400) return new(answer, Keep: false);
        await SaveLeftoversAsync(db);
        return new(answer, Keep: true);
    });

    /// <summary>A write with no answer (Stripe's news, the reconciler, a sweep): kept unless it throws.</summary>
    public Task RunAsync(Func<AppDb, Task> work) => writer.RunAsync(async db =>
    {
        await work(db);
        await SaveLeftoversAsync(db);
        return new(TypedResults.Ok(), Keep: true);
    });

    /// <summary>The stored answer to this request, if it was already answered (for handlers that call out first).</summary>
    public async Task<IResult?> TryReplayAsync(HttpContext http, AppDb db)
    {
        var request = IdempotentRequest.Of(http);
        return request.Key.Length > 0 && await FindAsync(db, request) is { } earlier ? Replay(earlier, request.Fingerprint) : null;
    }

    private async Task<WriteBatcher.Outcome> WriteAsync(AppDb db, HttpContext http, Func<AppDb, Task<IResult>> work, IdempotentRequest request)
    {
        var captured = await CaptureAsync(http, await work(db));
        var keyed = request.Key.Length > 0;
        var replayable = keyed && captured.StatusCode != StatusCodes.Status400BadRequest && captured.StatusCode < 500;
        if (captured.StatusCode >= 400)
        {
            // Undone. A refusal worth replaying is stored after the undo; one that is not may have raced an attempt that stored its answer.
            Func<AppDb, Task<IResult>>? after = replayable ? async undone => (await StoreAsync(undone, request, captured, endWrite: false)).Answer
                : keyed ? async undone => await FindAsync(undone, request) is { } raced ? Replay(raced, request.Fingerprint) : new CapturedResult(captured)
                : null;
            return new(new CapturedResult(captured), Keep: false, after);
        }

        await SaveLeftoversAsync(db);
        if (!replayable) return new(new CapturedResult(captured), Keep: true);
        var (answer, stored) = await StoreAsync(db, request, captured, endWrite: true);
        return new(answer, Keep: stored, Ended: stored); // not stored: the same key was stored first, so this attempt is undone and answered as that one
    }

    /// <summary>
    /// Stores the answer under the key; or, when the same key was stored first (earlier in this batch, or by another
    /// instance, whose commit this waited for), answers as the first did. With <paramref name="endWrite"/> the write's
    /// savepoint is ended in the same round trip as the insert (the writer's busiest path: one round trip fewer per
    /// write); a refused insert runs nothing after it, so the write can still be undone.
    /// </summary>
    private async Task<(IResult Answer, bool Stored)> StoreAsync(AppDb db, IdempotentRequest request, Captured captured, bool endWrite)
    {
        if (await db.StoreIdempotencyRecordAsync(new IdempotencyRecord
            {
                ClientId = request.ClientId, Key = request.Key, Fingerprint = request.Fingerprint, StatusCode = captured.StatusCode,
                ContentType = captured.ContentType, Location = captured.Location, Body = captured.Body, CreatedUtc = clock.GetUtcNow().UtcDateTime,
            }, endWrite ? WriteBatcher.EndWrite : []))
            return (new CapturedResult(captured), true);
        await db.ExecuteAsync(WriteBatcher.RollbackToSavepoint); // PostgreSQL refuses every statement after a failed one until then
        logger.LogInformation("Idempotency-Key already committed by a concurrent request; replaying its response.");
        return (Replay((await FindAsync(db, request))!, request.Fingerprint), false);
    }

    /// <summary>Whatever the work left tracked is saved with it: no caller has to remember. A save that fails undoes the write.</summary>
    private static async Task SaveLeftoversAsync(AppDb db)
    {
        if (db.ChangeTracker.HasChanges()) await db.SaveChangesAsync();
    }

    private static int StatusOf(IResult answer) => answer is IStatusCodeHttpResult { StatusCode: { } status } ? status : StatusCodes.Status200OK;

    private Task<IdempotencyRecord?> FindAsync(AppDb db, IdempotentRequest request) => db.FindIdempotencyRecordAsync(readers, request.ClientId, request.Key);

    /// <summary>The first answer again, or 422 when the key came with another request.</summary>
    public static IResult Replay(IdempotencyRecord earlier, string fingerprint) =>
        SameFingerprint(earlier.Fingerprint, fingerprint)
            ? new CapturedResult(new Captured(earlier.StatusCode, earlier.ContentType, earlier.Location, earlier.Body), Replayed: true)
            : KeyReused();

    /// <summary>A fingerprint cleared when its shopper was forgotten (none, or empty) matches no request.</summary>
    public static bool SameFingerprint(string? earlier, string now) =>
        earlier is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(earlier), Encoding.ASCII.GetBytes(now));

    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult KeyReused() => TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]>
    {
        [IdempotencyKeyFilter.HeaderName] = ["This Idempotency-Key was already used for a different request. Use a new key for a new request."],
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

    private sealed record CapturedResult(Captured Response, bool Replayed = false) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => Response.StatusCode;

        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = Response.StatusCode;
            if (Response.ContentType is not null) http.Response.ContentType = Response.ContentType;
            if (Response.Location is not null) http.Response.Headers.Location = Response.Location;
            if (Replayed) http.Response.Headers[IdempotencyKeyFilter.ReplayedHeader] = "true";
            // Nothing to write for a 204: Kestrel refuses even an empty write to one, and dropped the connection after it.
            if (Response.Body.Length == 0) return;
            http.Response.ContentLength = Response.Body.Length;
            await http.Response.Body.WriteAsync(Response.Body, http.RequestAborted);
        }
    }
}
