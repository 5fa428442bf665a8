using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Data;

/// <summary>
/// Applies the versioned SQL scripts under Data/Migrations/{provider}/ in name order, each once, each in
/// its own transaction. dotnet-ef is not available here, so the scripts are written by hand; a test
/// checks that they create exactly the schema the EF model expects.
/// </summary>
internal static class Migrator
{
    private const string HistoryTable = "__schema_migrations";

    public static async Task MigrateAsync(AppDb db, CancellationToken ct = default)
    {
        var provider = db.Database.IsSqlite() ? "Sqlite" : "Postgres";
        if (db.Database.IsSqlite())
        {
            // WAL lets readers run beside the single writer; it is a property of the file, so set it once here.
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }

        await db.Database.ExecuteSqlRawAsync(
            $"CREATE TABLE IF NOT EXISTS {HistoryTable} (version TEXT NOT NULL PRIMARY KEY, applied_utc TEXT NOT NULL);", ct);

        var applied = await db.Database
            .SqlQueryRaw<string>($"SELECT version AS \"Value\" FROM {HistoryTable}")
            .ToListAsync(ct);

        foreach (var (version, sql) in Scripts(provider))
        {
            if (applied.Contains(version)) continue;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            // Several instances may start at once on one PostgreSQL: one migrates, the others wait, then skip.
            if (db.Database.IsNpgsql()) await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(7242001)", ct);
            // A concurrent starter may have applied it between our read and our lock.
            var already = await db.Database
                .SqlQueryRaw<int>($"SELECT COUNT(*) AS \"Value\" FROM {HistoryTable} WHERE version = {{0}}", version)
                .SingleAsync(ct);
            if (already > 0) continue;
            await db.Database.ExecuteSqlRawAsync(sql, ct);
            await db.Database.ExecuteSqlRawAsync(
                $"INSERT INTO {HistoryTable} (version, applied_utc) VALUES ({{0}}, {{1}})",
                [version, DateTime.UtcNow.ToString("O")], ct);
            await tx.CommitAsync(ct);
        }
    }

    /// <summary>The embedded scripts for one provider as (version, sql), oldest first.</summary>
    public static IEnumerable<(string Version, string Sql)> Scripts(string provider)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var prefix = $"{assembly.GetName().Name}.Data.Migrations.{provider}.";
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            yield return (name[prefix.Length..^".sql".Length], reader.ReadToEnd());
        }
    }
}
