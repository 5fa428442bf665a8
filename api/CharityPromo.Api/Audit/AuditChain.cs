using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CharityPromo.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Audit;

/// <param name="Ok">Every entry since the chain began carries the hash its content and the previous entry's hash give.</param>
/// <param name="Entries">Entries read.</param>
/// <param name="Unchained">Entries written before the chain began (before the upgrade that added it): not checked.</param>
/// <param name="BrokenAt">The first entry whose hash does not match (changed, removed before it, or inserted), if any.</param>
/// <param name="Head">The newest entry's hash: kept somewhere else now and then, it shows later that no entry was cut off the end.</param>
public sealed record AuditVerification(bool Ok, long Entries, long Unchained, long? BrokenAt, string? Problem, string? Head);

/// <summary>
/// The audit trail's hash chain. Each entry stores SHA-256(previous entry's hash + its own content): changing, deleting or
/// inserting an entry breaks every hash after it. The hash has no key, so someone who can write to the database could
/// recompute the whole chain after an edit; what shows that is a head kept outside the database: a later check given it
/// (<c>head</c>) fails unless the chain still leads through that very entry.
/// </summary>
internal static class AuditChain
{
    /// <summary>Advisory lock serialising appends across instances on PostgreSQL; SQLite has one writer anyway.</summary>
    private const long AppendLock = 7242002;

    /// <summary>PostgreSQL keeps microseconds: the hashed time must be the stored one, so time is cut to that first.</summary>
    public static DateTime Stored(DateTime at) => new(at.Ticks - at.Ticks % 10, DateTimeKind.Utc);

    public static string Hash(string? previous, DateTime at, string actor, string kind, string subject, string changes)
    {
        var content = string.Join('\n', previous ?? "", at.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture), actor, kind, subject, changes);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));
    }

    public static async Task AppendAsync(AppDb db, string actor, string kind, string subject, string changes, DateTime now, CancellationToken ct)
    {
        if (db.Database.IsNpgsql()) await db.ExecuteAsync($"SELECT pg_advisory_xact_lock({AppendLock})", ct);
        var previous = await db.QueryAsync<string?>(null, $"""SELECT "Hash" FROM "AuditEntries" ORDER BY "Id" DESC LIMIT 1""",
            async (row, ct) => await row.ReadAsync(ct) && !row.IsDBNull(0) ? row.GetString(0) : null, ct);
        var at = Stored(now);
        await db.AppendAuditEntryAsync(actor, kind, subject, changes, at, Hash(previous, at, actor, kind, subject, changes), ct);
    }

    /// <summary>Reads the whole trail in order, once, and checks every link.</summary>
    /// <param name="keptHead">A head an earlier check printed, kept elsewhere: the chain must still pass through it.</param>
    public static async Task<AuditVerification> VerifyAsync(AppDb db, CancellationToken ct, string? keptHead = null)
    {
        var headSeen = keptHead is null;
        long entries = 0, unchained = 0;
        string? previous = null;
        var chained = false;
        await foreach (var e in db.AuditEntries.AsNoTracking().OrderBy(a => a.Id).AsAsyncEnumerable().WithCancellation(ct))
        {
            entries++;
            if (e.Hash is null)
            {
                if (chained) return new(false, entries, unchained, e.Id, "An entry without a hash after the chain began: inserted by hand.", previous);
                unchained++;
                continue;
            }
            var expected = Hash(chained ? previous : null, DateTime.SpecifyKind(e.AtUtc, DateTimeKind.Utc), e.Actor, e.Kind, e.Subject, e.Changes);
            // The first hashed entry may follow unchained ones: its predecessor's hash is none.
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(e.Hash)))
                return new(false, entries, unchained, e.Id, "The entry's hash does not match its content and the entry before it: changed, or an entry before it was removed or inserted.", previous);
            chained = true;
            previous = e.Hash;
            headSeen |= e.Hash == keptHead;
        }
        return headSeen ? new(true, entries, unchained, null, null, previous)
            : new(false, entries, unchained, null, "The head kept from an earlier check is not in the chain: the entries up to it were rewritten or removed.", previous);
    }
}
