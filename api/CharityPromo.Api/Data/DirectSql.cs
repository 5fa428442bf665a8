using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using CharityPromo.Api.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace CharityPromo.Api.Data;

/// <summary>
/// The statements every purchase runs on the writer thread, without EF's per-command work: on SQLite the commands stay
/// prepared on their connection and are only re-bound on the next call (EF creates a new command for every statement,
/// and Microsoft.Data.Sqlite compiles each new command's SQL again — efcore#14044); on PostgreSQL a purchase's inserts
/// and increments go as one command batch, one round trip; new rows are inserted without change tracking. Parameters
/// and columns still come from EF's type mappings and model, so values are stored exactly as a SaveChanges would store
/// them. Writes run inside the write transaction only; <see cref="ReadLongsAsync"/> and <see cref="QueryAsync"/> read anywhere (docs/BENCHMARKS.md
/// has the measurements that justified all of it).
/// </summary>
internal static class DirectSql
{
    // Per open SQLite connection: commands by SQL text, forgotten when the connection closes. Closing disposes the commands
    // created on it, releasing SQLite's statements before its handle goes back to the pool; a command kept across a
    // close would prepare again untracked and later run its statements on a handle another connection now holds.
    private static readonly ConditionalWeakTable<DbConnection, Dictionary<string, DbCommand>> Commands = new();
    private static readonly ConcurrentDictionary<string, string> Texts = new();
    private static readonly ConcurrentDictionary<Type, InsertShape> Shapes = new();

    /// <summary>Runs an interpolated statement; each interpolated value becomes a parameter, as with EF's ExecuteSql.</summary>
    public static async Task<int> ExecuteAsync(this AppDb db, FormattableString sql, CancellationToken ct = default) =>
        (await RunAsync(db, [Statement.Of(db, sql)], guarded: false, ct))[0];

    /// <summary>Runs interpolated statements in order, one round trip on PostgreSQL; returns the rows each changed.</summary>
    public static Task<int[]> ExecuteAsync(this AppDb db, IReadOnlyList<FormattableString> sql, CancellationToken ct = default) =>
        RunAsync(db, sql.Select(s => Statement.Of(db, s)).ToList(), guarded: false, ct);

    /// <summary>Reads the integers (counts, counters) of the one row an interpolated query returns, where <see cref="QueryAsync"/> runs it.</summary>
    public static Task<long[]> ReadLongsAsync(this AppDb db, SqliteReaders? readers, FormattableString sql, CancellationToken ct = default) =>
        db.QueryAsync(readers, sql, async (row, ct) =>
        {
            if (!await row.ReadAsync(ct)) throw new InvalidOperationException($"No row for: {sql.Format}");
            var values = new long[row.FieldCount];
            for (var i = 0; i < values.Length; i++) values[i] = row.GetInt64(i);
            return values;
        }, ct);

    /// <summary>Reads at most one row with an interpolated query, where <see cref="QueryAsync"/> runs it.</summary>
    public static Task<T?> ReadRowAsync<T>(this AppDb db, SqliteReaders readers, FormattableString sql, Func<DbDataReader, T> read,
        CancellationToken ct = default) where T : class =>
        db.QueryAsync<T?>(readers, sql, async (rows, ct) => await rows.ReadAsync(ct) ? read(rows) : null, ct);

    /// <summary>
    /// Runs an interpolated query and hands its rows to <paramref name="consume"/>: inside the current transaction if there
    /// is one; otherwise, on SQLite, on one of <paramref name="readers"/>' open connections, where the command stays prepared
    /// from one request to the next; otherwise on the context's connection (Npgsql keeps statements prepared on its pooled
    /// connections).
    /// </summary>
    public static async Task<T> QueryAsync<T>(this AppDb db, SqliteReaders? readers, FormattableString sql,
        Func<DbDataReader, CancellationToken, Task<T>> consume, CancellationToken ct = default)
    {
        var statement = Statement.Of(db, sql);
        var tx = db.Database.CurrentTransaction?.GetDbTransaction();
        if (tx is null && readers is not null && db.Database.GetDbConnection() is SqliteConnection own)
        {
            var reader = readers.Rent(own.ConnectionString);
            var healthy = false;
            try
            {
                using var span = Telemetry.SqliteSpan(statement.Text);
                var result = await RunAsync(Prepared(reader, statement, null));
                healthy = true;
                return result;
            }
            finally
            {
                readers.Return(reader, healthy);
            }
        }

        // The context's connection, in its transaction if there is one, opened and closed around the query if it was closed;
        // on SQLite the command stays prepared for as long as the connection is open.
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(ct);
        try
        {
            if (connection is SqliteConnection sqlite)
            {
                using var span = Telemetry.SqliteSpan(statement.Text);
                return await RunAsync(Prepared(sqlite, statement, tx));
            }
            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = statement.Text;
            statement.Bind(command, command.Parameters);
            return await RunAsync(command);
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }

        async Task<T> RunAsync(DbCommand command)
        {
            await using var rows = await command.ExecuteReaderAsync(ct);
            return await consume(rows, ct);
        }
    }

    /// <summary>
    /// Inserts new rows (not tracked afterwards), one statement each, in the order given, then runs <paramref name="then"/>
    /// (interpolated like <see cref="ExecuteAsync(AppDb, FormattableString, CancellationToken)"/>) and returns the rows each of those changed. On PostgreSQL it all goes in
    /// one round trip, a command batch. All of it runs inside its own savepoint: a constraint that refuses a row throws
    /// <see cref="DbUpdateException"/> as SaveChanges would and leaves the transaction usable, with none of it applied.
    /// </summary>
    public static async Task<int[]> InsertAsync(this AppDb db, IReadOnlyList<object> rows, IReadOnlyList<FormattableString>? then = null, CancellationToken ct = default)
    {
        var statements = rows.Select(row => Statement.Of(db, row)).Concat((then ?? []).Select(sql => Statement.Of(db, sql))).ToList();
        try
        {
            return (await RunAsync(db, statements, guarded: true, ct))[rows.Count..];
        }
        catch (DbException ex)
        {
            var tables = string.Join(", ", rows.Select(row => Shapes[row.GetType()].Table).Distinct());
            throw new DbUpdateException($"Inserting into {tables} failed: {ex.Message}", ex);
        }
    }

    /// <summary>The rows each statement changed. When <paramref name="guarded"/> they run inside a savepoint, rolled back if one
    /// fails: PostgreSQL refuses every later command in a transaction with a failed statement, and SQLite would keep the
    /// statements before the failed one.</summary>
    private static async Task<int[]> RunAsync(AppDb db, IReadOnlyList<Statement> statements, bool guarded, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction?.GetDbTransaction() is not { } tx)
            throw new InvalidOperationException("Direct statements run inside the write transaction only.");
        var connection = db.Database.GetDbConnection();
        if (!guarded) return await RunAllAsync(connection, tx, statements, ct);
        try
        {
            return (await RunAllAsync(connection, tx, [Guard, .. statements, ReleaseGuard], ct))[1..^1];
        }
        catch (DbException)
        {
            await RunAllAsync(connection, tx, [RollbackToGuard], CancellationToken.None);
            throw;
        }
    }

    private static readonly Statement Guard = new("SAVEPOINT guard", static (_, _) => { });
    private static readonly Statement ReleaseGuard = new("RELEASE SAVEPOINT guard", static (_, _) => { });
    private static readonly Statement RollbackToGuard = new("ROLLBACK TO SAVEPOINT guard", static (_, _) => { });

    /// <summary>SQLite runs them one by one on its prepared commands; other providers get one batch, one round trip.</summary>
    private static async Task<int[]> RunAllAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<Statement> statements, CancellationToken ct)
    {
        var changed = new int[statements.Count];
        if (connection is SqliteConnection sqlite)
        {
            using var span = Telemetry.SqliteSpan(statements.Select(s => s.Text));
            for (var i = 0; i < statements.Count; i++)
                changed[i] = await Prepared(sqlite, statements[i], tx).ExecuteNonQueryAsync(ct);
            return changed;
        }

        // Npgsql prepares by SQL text on its own (Max Auto Prepare), batch commands included; a reused NpgsqlCommand
        // would keep binding the parameters it was first run with, so the batch is new each time.
        await using var batch = connection.CreateBatch();
        await using var factory = connection.CreateCommand(); // EF's type mappings create parameters through a command
        batch.Transaction = tx;
        foreach (var statement in statements)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = statement.Text;
            statement.Bind(factory, command.Parameters);
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync(ct);
        for (var i = 0; i < statements.Count; i++) changed[i] = batch.BatchCommands[i].RecordsAffected;
        return changed;
    }

    /// <summary>The command kept for this SQL text on this open connection, re-bound for this run.</summary>
    private static DbCommand Prepared(SqliteConnection connection, Statement statement, DbTransaction? tx)
    {
        var commands = Commands.GetValue(connection, static opened =>
        {
            var made = new Dictionary<string, DbCommand>(StringComparer.Ordinal);
            opened.StateChange += (_, change) => // once per connection object, however often it reopens
            {
                if (change.CurrentState != System.Data.ConnectionState.Open) made.Clear();
            };
            return made;
        });
        if (!commands.TryGetValue(statement.Text, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = statement.Text;
            commands[statement.Text] = command;
        }
        command.Transaction = tx;
        command.Parameters.Clear();
        statement.Bind(command, command.Parameters);
        return command;
    }

    /// <summary>SQL text and how to bind its parameters: parameters are made by a command and added to a command's or a batch command's list.</summary>
    private sealed record Statement(string Text, Action<DbCommand, DbParameterCollection> Bind)
    {
        public static Statement Of(AppDb db, FormattableString sql)
        {
            var text = Texts.GetOrAdd(sql.Format, static format =>
                string.Format(format, Enumerable.Range(0, CountPlaceholders(format)).Select(i => (object)$"@p{i}").ToArray()));
            var mappings = db.GetService<IRelationalTypeMappingSource>();
            var arguments = sql.GetArguments();
            return new(text, (factory, into) =>
            {
                for (var i = 0; i < arguments.Length; i++)
                    into.Add(mappings.GetMappingForValue(arguments[i]).CreateParameter(factory, $"@p{i}", arguments[i]));
            });
        }

        public static Statement Of(AppDb db, object row)
        {
            var shape = Shapes.GetOrAdd(row.GetType(), type => InsertShape.Of(db.Model, type));
            return new(shape.Sql, (factory, into) => shape.Bind(factory, into, row));
        }
    }

    private static int CountPlaceholders(string format)
    {
        var count = 0;
        while (format.Contains($"{{{count}}}", StringComparison.Ordinal)) count++;
        return count;
    }

    /// <summary>An entity type's INSERT, read from EF's model: table, column names and each column's type mapping.</summary>
    private sealed record InsertShape(string Table, string Sql, IReadOnlyList<(IProperty Property, RelationalTypeMapping Mapping)> Columns)
    {
        public static InsertShape Of(IModel model, Type type)
        {
            var entity = model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not an entity.");
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var properties = entity.GetFlattenedProperties() // a complex type's columns too
                .Select(p => p.IsShadowProperty() ? throw new InvalidOperationException($"{type.Name}.{p.Name} has no value on the entity to insert.") : p)
                .ToList();
            var sql = new StringBuilder($"INSERT INTO \"{table.Name}\" (");
            sql.AppendJoin(", ", properties.Select(p => $"\"{p.GetColumnName(table)}\"")).Append(") VALUES (");
            sql.AppendJoin(", ", properties.Select((_, i) => $"@c{i}")).Append(')');
            return new InsertShape(table.Name, sql.ToString(), properties.Select(p => (p, p.GetRelationalTypeMapping())).ToList());
        }

        // Names carry the '@': Microsoft.Data.Sqlite otherwise looks each one up again under every prefix it knows.
        public void Bind(DbCommand factory, DbParameterCollection into, object row)
        {
            for (var i = 0; i < Columns.Count; i++)
            {
                var (property, mapping) = Columns[i];
                into.Add(mapping.CreateParameter(factory, $"@c{i}", property.GetGetter().GetClrValueUsingContainingEntity(row), property.IsNullable));
            }
        }
    }
}
