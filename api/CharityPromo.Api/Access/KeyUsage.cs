using System.Collections.Concurrent;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;

namespace CharityPromo.Api.Access;

/// <summary>
/// Records when each key was last used, to the minute: at most one write a minute per key (and per instance), queued
/// on the writer without the request waiting for it, never a write per request. The condition on the stored time keeps
/// several instances from each writing it.
/// </summary>
internal sealed class KeyUsage(Writes writes, ILogger<KeyUsage> logger)
{
    private static readonly TimeSpan Resolution = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<Guid, DateTime> _recorded = new();

    public void Seen(Guid keyId, DateTime? stored, DateTime now)
    {
        var last = _recorded.GetOrAdd(keyId, stored ?? DateTime.MinValue);
        if (now - last < Resolution || !_recorded.TryUpdate(keyId, now, last)) return;
        var before = now - Resolution;
        _ = writes.RunAsync(db => db.RecordKeyUsedAsync(keyId, now, notSince: before))
            .ContinueWith(t => logger.LogWarning(t.Exception, "Could not record when a key was last used"), TaskContinuationOptions.OnlyOnFaulted);
    }
}
