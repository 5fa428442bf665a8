using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CharityPromo.Api.Data;

/// <summary>
/// Campaign rows the current write transaction holds locked, by slug. On PostgreSQL instances share a campaign's totals
/// and match budget, and a purchase that takes its campaign's row first makes their batches queue on it instead of
/// deadlocking on each other's rows. Within one write batch the row is locked once, not once per purchase (a round trip
/// each, docs/BENCHMARKS.md). Rolling back to a savepoint releases the locks taken after it, so the WriteBatcher calls
/// <see cref="ForgetCampaignLocks"/> whenever it undoes a write. SQLite has a single writer: nothing to lock.
/// </summary>
internal sealed partial class AppDb
{
    private readonly HashSet<string> _campaignsLocked = new(StringComparer.Ordinal);
    private IDbContextTransaction? _campaignsLockedIn;

    public async Task LockCampaignAsync(string slug, CancellationToken ct)
    {
        if (Database.GetDbConnection() is not Npgsql.NpgsqlConnection) return; // IsNpgsql() reads the assembly's name: 0.6% of the write case
        if (Database.CurrentTransaction is not { } tx)
            throw new InvalidOperationException("A campaign is locked inside the write transaction only.");
        if (!ReferenceEquals(tx, _campaignsLockedIn))
        {
            _campaignsLocked.Clear();
            _campaignsLockedIn = tx;
        }
        if (_campaignsLocked.Contains(slug)) return;
        await Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM \"Campaigns\" WHERE \"Slug\" = {slug} FOR UPDATE", ct);
        _campaignsLocked.Add(slug);
    }

    public void ForgetCampaignLocks() => _campaignsLocked.Clear();
}
