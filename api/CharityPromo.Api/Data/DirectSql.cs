using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace CharityPromo.Api.Data;

/// <summary>
/// The statements every purchase runs on the writer thread, without EF's per-command work: the commands stay
/// prepared on their connection and are only re-bound on the next call (EF creates a new command for every statement,
/// and Microsoft.Data.Sqlite compiles each new command's SQL again — efcore#14044), and new rows are inserted
/// without change tracking. Parameters and columns still come from EF's type mappings and model, so values are
/// stored exactly as a SaveChanges would store them. Used inside the write transaction only (docs/BENCHMARKS.md
/// has the measurements that justified it).
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
    public static Task<int> ExecuteAsync(this AppDb db, FormattableString sql, CancellationToken ct = default)
    {
        var text = Texts.GetOrAdd(sql.Format, static format =>
            string.Format(format, Enumerable.Range(0, CountPlaceholders(format)).Select(i => (object)$"@p{i}").ToArray()));
        var mappings = db.GetService<IRelationalTypeMappingSource>();
        var arguments = sql.GetArguments();
        return RunAsync(db, text, command =>
        {
            for (var i = 0; i < arguments.Length; i++)
                command.Parameters.Add(mappings.GetMappingForValue(arguments[i]).CreateParameter(command, $"@p{i}", arguments[i]));
        }, ct);
    }

    /// <summary>
    /// Inserts new rows (not tracked afterwards), one statement each, in the order given. A constraint that refuses a
    /// row throws <see cref="DbUpdateException"/> as SaveChanges would, and on PostgreSQL leaves the transaction usable.
    /// </summary>
    public static Task InsertAsync(this AppDb db, IReadOnlyList<object> rows, CancellationToken ct = default) =>
        db.GuardedAsync(async token =>
        {
            foreach (var row in rows)
            {
                var shape = Shapes.GetOrAdd(row.GetType(), type => InsertShape.Of(db.Model, type));
                try
                {
                    await RunAsync(db, shape.Sql, command => shape.Bind(command, row), token);
                }
                catch (DbException ex)
                {
                    throw new DbUpdateException($"Inserting into {shape.Table} failed: {ex.Message}", ex);
                }
            }
        }, ct);

    private static async Task<int> RunAsync(AppDb db, string text, Action<DbCommand> bind, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not { } tx)
            throw new InvalidOperationException("Direct statements run inside the write transaction only.");
        var connection = db.Database.GetDbConnection();
        if (connection is not SqliteConnection)
        {
            // Npgsql prepares by SQL text on its own (Max Auto Prepare); a reused NpgsqlCommand would keep binding the
            // parameters it was first run with.
            await using var once = connection.CreateCommand();
            once.CommandText = text;
            once.Transaction = tx.GetDbTransaction();
            bind(once);
            return await once.ExecuteNonQueryAsync(ct);
        }
        var commands = Commands.GetValue(connection, static opened =>
        {
            var made = new Dictionary<string, DbCommand>(StringComparer.Ordinal);
            opened.StateChange += (_, change) => // once per connection object, however often it reopens
            {
                if (change.CurrentState != System.Data.ConnectionState.Open) made.Clear();
            };
            return made;
        });
        if (!commands.TryGetValue(text, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = text;
            commands[text] = command;
        }
        command.Transaction = tx.GetDbTransaction();
        command.Parameters.Clear();
        bind(command);
        return await command.ExecuteNonQueryAsync(ct);
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
            var properties = entity.GetProperties()
                .Select(p => p.IsShadowProperty() ? throw new InvalidOperationException($"{type.Name}.{p.Name} has no value on the entity to insert.") : p)
                .ToList();
            var sql = new StringBuilder($"INSERT INTO \"{table.Name}\" (");
            sql.AppendJoin(", ", properties.Select(p => $"\"{p.GetColumnName(table)}\"")).Append(") VALUES (");
            sql.AppendJoin(", ", properties.Select((_, i) => $"@c{i}")).Append(')');
            return new InsertShape(table.Name, sql.ToString(), properties.Select(p => (p, p.GetRelationalTypeMapping())).ToList());
        }

        // Names carry the '@': Microsoft.Data.Sqlite otherwise looks each one up again under every prefix it knows.
        public void Bind(DbCommand command, object row)
        {
            for (var i = 0; i < Columns.Count; i++)
            {
                var (property, mapping) = Columns[i];
                command.Parameters.Add(mapping.CreateParameter(command, $"@c{i}", property.GetGetter().GetClrValueUsingContainingEntity(row), property.IsNullable));
            }
        }
    }
}
