using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CharityPromo.Api.Data;

/// <summary>
/// Per-connection SQLite settings, set deliberately in this one place: FULL sync so a 201 means the
/// row is on disk even after a power cut, and a busy timeout for the rare writer outside the WriteBatcher (the CLI).
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken ct = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(ct);
    }
}
