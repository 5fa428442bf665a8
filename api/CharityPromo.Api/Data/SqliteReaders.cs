using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace CharityPromo.Api.Data;

/// <summary>
/// A few SQLite connections kept open for the reads made outside a transaction on every request (its API key, its
/// Idempotency-Key) and on the hot read paths (a quote's campaign, an uncached campaign page), so that
/// <see cref="DirectSql.QueryAsync"/>'s commands stay prepared on them: a context's own
/// connection goes back to the pool after each query, which finalizes its statements, and opening, compiling and closing
/// again cost more than the look-up (docs/BENCHMARKS.md measures it). A statement is reset as soon as it has
/// been read, so an idle connection holds no read transaction: it never holds back a checkpoint and sees every commit,
/// the CLI's in another process included. Disposed with the app.
/// </summary>
internal sealed class SqliteReaders : IDisposable
{
    private static readonly int KeepOpen = Environment.ProcessorCount * 2; // reads run synchronously: at most one per thread at a time
    private readonly ConcurrentBag<SqliteConnection> _idle = [];
    private volatile bool _disposed;

    /// <summary>How many connections wait open for the next read.</summary>
    public int Idle => _idle.Count;

    /// <summary>An open connection to <paramref name="connectionString"/>'s database, for one read; give it back with <see cref="Return"/>.</summary>
    public SqliteConnection Rent(string connectionString)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (_idle.TryTake(out var idle))
        {
            if (idle.ConnectionString == connectionString) return idle;
            idle.Dispose();
        }
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            SqlitePragmas.Apply(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Keeps the connection open for the next read, unless enough are open already or it failed mid-read.</summary>
    public void Return(SqliteConnection connection, bool healthy)
    {
        if (!healthy || _disposed || _idle.Count >= KeepOpen) connection.Dispose();
        else _idle.Add(connection);
        if (_disposed) Drain();
    }

    public void Dispose()
    {
        _disposed = true;
        Drain();
    }

    private void Drain()
    {
        while (_idle.TryTake(out var idle)) idle.Dispose();
    }
}
