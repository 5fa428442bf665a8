using CharityPromo.Api.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>SQLite's schema; PostgresSchemaTests checks PostgreSQL's.</summary>
[Trait("Provider", "Sqlite")]
public class SchemaTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "charitypromo-tests", Guid.NewGuid().ToString("N"));

    public SchemaTests() => Directory.CreateDirectory(_folder);

    [Fact]
    public async Task TheMigrationsCreateExactlyTheSchemaTheModelExpects()
    {
        await using var migrated = Db("migrated.db");
        await Migrator.MigrateAsync(migrated);
        await using var fromModel = Db("model.db");
        await fromModel.Database.EnsureCreatedAsync();

        var expected = await DescribeAsync(fromModel);
        var actual = await DescribeAsync(migrated);
        actual.ShouldBe(expected, "The migrations and the EF model disagree. Add a Data/Migrations/Sqlite/NNNN_*.sql that makes them agree; the model's full script is:\n"
            + fromModel.Database.GenerateCreateScript());
    }

    [Fact]
    public async Task MigratingTwiceChangesNothingAndRecordsEachScriptOnce()
    {
        await using var db = Db("twice.db");
        await Migrator.MigrateAsync(db);
        await Migrator.MigrateAsync(db);
        var versions = await db.Database.SqlQueryRaw<string>("SELECT version AS \"Value\" FROM __schema_migrations").ToListAsync();
        versions.ShouldBe(Migrator.Scripts("Sqlite").Select(s => s.Version).ToList());
        (await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync()).Single().ShouldBe("wal");
    }

    [Fact]
    public async Task EveryConnectionTheAppOpensIsDurableAndChecksForeignKeys()
    {
        using var app = new CharityPromo.Testing.ApiFactory();
        for (var i = 0; i < 5; i++) // pooled contexts and pooled handles: the settings hold on every open, not just the first
        {
            var (synchronous, foreignKeys, busyTimeout) = await app.WithDbAsync(async db =>
            {
                await db.Database.OpenConnectionAsync();
                var sync = await db.Database.SqlQueryRaw<long>("SELECT synchronous AS \"Value\" FROM pragma_synchronous").SingleAsync();
                var fk = await db.Database.SqlQueryRaw<long>("SELECT foreign_keys AS \"Value\" FROM pragma_foreign_keys").SingleAsync();
                var busy = await db.Database.SqlQueryRaw<long>("SELECT timeout AS \"Value\" FROM pragma_busy_timeout").SingleAsync();
                await db.Database.CloseConnectionAsync();
                return (sync, fk, busy);
            });
            synchronous.ShouldBe(2); // FULL
            foreignKeys.ShouldBe(1);
            busyTimeout.ShouldBe(5000); // SQLite's own default is 0: only SqlitePragmas sets it
        }
    }

    [Fact]
    public async Task TheServerConfiguresSqliteBeforeItsFirstUse()
    {
        // Process-wide settings are only accepted before SQLite's first use, so this needs a process of its own.
        using var api = new CharityPromo.Testing.ApiProcess($"Data Source={Path.Combine(_folder, "process.db")}", "Sqlite")
        {
            Environment = { ["Logging__LogLevel__CharityPromo.Api.Data.SqlitePragmas"] = "Information" },
        };
        await api.StartAsync();
        api.Output.ShouldContain(line => line.Contains("SQLite keeps savepoint journals in memory."),
            string.Join('\n', api.Output));
    }

    private AppDb Db(string file) =>
        new(new DbContextOptionsBuilder<AppDb>().UseSqlite($"Data Source={Path.Combine(_folder, file)}").Options);

    /// <summary>Tables with their columns (name, type, not-null, key position) and indexes with uniqueness and columns.</summary>
    private static async Task<List<string>> DescribeAsync(AppDb db)
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        var lines = new List<string>();
        var tables = await Query(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__schema_migrations' ORDER BY name");
        foreach (var table in tables.Select(t => t[0]))
        {
            foreach (var c in await Query(connection, $"SELECT name, type, \"notnull\", pk FROM pragma_table_info('{table}') ORDER BY name"))
                lines.Add($"{table}.{c[0]} {c[1]} notnull={c[2]} pk={c[3]}");
            foreach (var index in await Query(connection, $"SELECT name, \"unique\" FROM pragma_index_list('{table}') WHERE origin = 'c' ORDER BY name"))
            {
                var columns = await Query(connection, $"SELECT name FROM pragma_index_info('{index[0]}') ORDER BY seqno");
                lines.Add($"{table} index {index[0]} unique={index[1]} ({string.Join(",", columns.Select(c => c[0]))})");
            }
            foreach (var fk in await Query(connection, $"SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list('{table}') ORDER BY \"from\""))
                lines.Add($"{table} fk {fk[1]} -> {fk[0]}.{fk[2]} on delete {fk[3]}");
        }
        return lines;
    }

    private static async Task<List<string[]>> Query(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i)) ?? "").ToArray());
        return rows;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }
}
