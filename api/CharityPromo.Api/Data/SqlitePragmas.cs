using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace CharityPromo.Api.Data;

/// <summary>
/// SQLite settings, set deliberately in this one place. Per connection: FULL sync so a 201 means the row is on disk
/// even after a power cut, and a busy timeout for the rare writer outside the WriteBatcher (the CLI). They belong to
/// the physical connection, so they run once per pooled handle, not on every open. Per process (<see cref="ConfigureProcess"/>):
/// savepoint journals kept in memory.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;";
    private const int SqliteConfigStatementJournalSpill = 26; // SQLITE_CONFIG_STMTJRNL_SPILL
    private const int StatementJournalAlwaysInMemory = -1;
    private static readonly ConditionalWeakTable<object, object> Configured = new();
    private static readonly Lazy<bool> ProcessConfigured = new(() =>
    {
        RuntimeHelpers.RunClassConstructor(typeof(SqliteConnection).TypeHandle); // loads the native library
        return SQLitePCL.raw.sqlite3_config(SqliteConfigStatementJournalSpill, StatementJournalAlwaysInMemory) == SQLitePCL.raw.SQLITE_OK;
    });
    private static int _reported;

    /// <summary>
    /// Every write runs in a savepoint (the WriteBatcher's, and DirectSql's around a purchase's statements), and SQLite
    /// copies each page a savepoint changes into a sub-journal, which it moves to a temporary file past 64 KiB — a
    /// purchase touches more than that, so every write paid for file writes nobody reads. Kept in memory (a write's pages,
    /// released with its savepoint; docs/BENCHMARKS.md measures the gain). Always in memory, with no size past which
    /// they move to a file: with 1 MiB as that size, SQLite bundled here failed every write whose journal outgrew it with
    /// "database or disk is full" (a remittance of a few thousand pledges; RemittanceTests). The largest writes are bounded
    /// instead (Remittances:MaxLines). Process-wide, so only possible before SQLite's first use; false when too late.
    /// </summary>
    public static bool ConfigureProcess() => ProcessConfigured.Value;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        Report(eventData);
        Apply(connection);
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken ct = default)
    {
        Report(eventData);
        if (!FirstOpen(connection)) return;
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Sets the per-connection pragmas on an open connection, unless its physical connection already has them.</summary>
    public static void Apply(DbConnection connection)
    {
        if (!FirstOpen(connection)) return;
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    /// <summary>True the first time this physical connection (SQLite's handle, reused by the pool) is seen.</summary>
    private static bool FirstOpen(DbConnection connection) =>
        connection is not SqliteConnection { Handle: { } handle } || Configured.TryAdd(handle, handle);

    /// <summary>Logs once per process whether <see cref="ConfigureProcess"/> took.</summary>
    private static void Report(ConnectionEndEventData eventData)
    {
        if (Interlocked.Exchange(ref _reported, 1) != 0 || eventData.Context?.GetService<ILoggerFactory>().CreateLogger<SqlitePragmas>() is not { } log) return;
        if (ConfigureProcess()) log.LogInformation("SQLite keeps savepoint journals in memory.");
        else log.LogWarning("SQLite was in use before it could be configured: savepoint journals go to temporary files past 64 KiB (slower writes).");
    }
}
