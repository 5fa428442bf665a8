using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Data;

/// <summary>A secret the server generates for itself when none is configured (e.g. the customer-reference HMAC key).</summary>
internal sealed class ServerSecret
{
    public required string Name { get; set; }
    public required byte[] Value { get; set; }
    public DateTime CreatedUtc { get; set; }

    /// <summary>The stored secret of this name, generated (32 random bytes) and stored the first time (at start-up, after migrations).</summary>
    public static async Task<byte[]> LoadOrCreateAsync(AppDb db, string name, TimeProvider clock, CancellationToken ct = default)
    {
        var stored = await db.ServerSecrets.AsNoTracking().SingleOrDefaultAsync(s => s.Name == name, ct);
        if (stored is not null) return stored.Value;
        stored = new ServerSecret { Name = name, Value = RandomNumberGenerator.GetBytes(32), CreatedUtc = clock.GetUtcNow().UtcDateTime };
        db.ServerSecrets.Add(stored);
        try
        {
            await db.SaveChangesAsync(ct);
            return stored.Value;
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // Another instance starting at the same moment stored its secret first: use that one.
            db.ChangeTracker.Clear();
            return (await db.ServerSecrets.AsNoTracking().SingleAsync(s => s.Name == name, ct)).Value;
        }
    }
}
