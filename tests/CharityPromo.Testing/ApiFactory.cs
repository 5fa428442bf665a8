using System.Globalization;
using System.Net.Http.Headers;
using CharityPromo.Api.Access;
using CharityPromo.Api.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace CharityPromo.Testing;

/// <summary>
/// The real API on Kestrel at 127.0.0.1 with its own SQLite file — or, when CHARITYPROMO_TEST_POSTGRES names a
/// PostgreSQL server (scripts/test.sh starts one), its own database there — created by the real migrations,
/// and a clock the test can move. One per test class (xunit class fixture): nothing is shared between classes.
/// </summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "charitypromo-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The PostgreSQL server the tests run against, or null for SQLite.</summary>
    public static string? PostgresServer => Environment.GetEnvironmentVariable("CHARITYPROMO_TEST_POSTGRES") is { Length: > 0 } server ? server : null;

    private readonly string? _postgresDatabase = PostgresServer is null ? null : $"cp_test_{Guid.NewGuid():N}";

    private readonly Lazy<Uri> _address;

    public ApiFactory()
    {
        // Tests of batches gather pledges they have just confirmed; RemittanceHoldTests tests the hold itself.
        Settings["Remittances:HoldDays"] = "0";
        Directory.CreateDirectory(_folder);
        _address = KestrelOnLoopback.StartOnce(this, StartServer);
        if (_postgresDatabase is not null) Postgres.CreateDatabase(PostgresServer!, _postgresDatabase);
    }

    /// <summary>Starts the app (once, whichever thread asks first) and answers where it listens.</summary>
    public Uri Address => _address.Value;

    /// <summary>The app's services, once it has started (through the same single start as <see cref="Address"/>).</summary>
    public new IServiceProvider Services
    {
        get
        {
            _ = Address;
            return base.Services;
        }
    }

    public string DbPath => Path.Combine(_folder, "api.db");
    public string Provider => _postgresDatabase is null ? "Sqlite" : "Postgres";
    public string ConnectionString => _postgresDatabase is null
        ? $"Data Source={DbPath}"
        : new Npgsql.NpgsqlConnectionStringBuilder(PostgresServer) { Database = _postgresDatabase }.ConnectionString;
    public TestClock Clock { get; } = new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
    public Dictionary<string, string> Settings { get; } = new();
    /// <summary>Changes to the app's services, applied after its own (a test's telemetry exporter, say).</summary>
    public Action<IServiceCollection>? TestServices { get; set; }
    /// <summary>Every line the app logged, with its exception, so tests can check what never reaches the logs.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Default", ConnectionString);
        builder.UseSetting("Database:Provider", Provider);
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Logs)).SetMinimumLevel(LogLevel.Trace));
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            TestServices?.Invoke(services);
        });
    }

    /// <summary>A client that talks to the Kestrel server over real HTTP.</summary>
    public HttpClient Client(string? apiKey = null)
    {
        _ = Address;
        var client = CreateClient();
        if (apiKey is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>Creates an API key the way the CLI does and returns the secret.</summary>
    public async Task<string> CreateKeyAsync(string scopes, string? name = null)
    {
        _ = Address;
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var output = new StringWriter();
        var exit = await KeysCli.RunAsync(db, ["create", "--name", name ?? $"key-{Guid.NewGuid():N}", "--scopes", scopes], output, TextWriter.Null, Clock.GetUtcNow().UtcDateTime);
        if (exit != 0) throw new InvalidOperationException($"keys create failed with {exit}");
        return output.ToString().TrimEnd().Split('\n').Last().Trim();
    }

    /// <summary><c>seed-bulk</c>: <paramref name="purchases"/> confirmed purchases spread over the <paramref name="days"/> days before the clock (SQLite only).</summary>
    public async Task SeedBulkAsync(string campaign, int purchases, int days)
    {
        var exit = await WithDbAsync(db => BulkSeeder.RunAsync(db, ["--campaign", campaign, "--purchases", purchases.ToString(CultureInfo.InvariantCulture),
            "--days", days.ToString(CultureInfo.InvariantCulture)], TextWriter.Null, TextWriter.Null, Clock.GetUtcNow().UtcDateTime));
        if (exit != 0) throw new InvalidOperationException($"seed-bulk failed with {exit}");
    }

    /// <summary>Runs a query against the app's own database.</summary>
    internal async Task<T> WithDbAsync<T>(Func<AppDb, Task<T>> query)
    {
        _ = Address;
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<AppDb>());
    }

    /// <summary>
    /// Everything the database holds, to search for what must never be stored. SQLite: the file's bytes, through the
    /// online backup (never read the live file from this process: closing any handle on it drops all of the process's
    /// POSIX locks on it, SQLite's included). PostgreSQL: every value of every table as text (bytea with printable bytes as they are).
    /// </summary>
    public async Task<byte[]> DatabaseBytesAsync()
    {
        if (_postgresDatabase is not null) return await PostgresDumpAsync();
        var copy = Path.Combine(_folder, $"snapshot-{Guid.NewGuid():N}.db");
        await using (var source = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DbPath}"))
        await using (var target = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={copy};Pooling=False"))
        {
            await source.OpenAsync();
            await target.OpenAsync();
            source.BackupDatabase(target);
        }
        return await File.ReadAllBytesAsync(copy);
    }

    private async Task<byte[]> PostgresDumpAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var columns = new List<(string Table, string Column, string Type)>();
        await using (var command = new Npgsql.NpgsqlCommand(
            "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position", connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));

        var dump = new System.Text.StringBuilder();
        foreach (var table in columns.GroupBy(c => c.Table))
        {
            var values = string.Join(", ", table.Select(c => c.Type == "bytea" ? $"encode(\"{c.Column}\", 'escape')" : $"\"{c.Column}\"::text"));
            await using var command = new Npgsql.NpgsqlCommand($"SELECT concat_ws('|', {values}) FROM \"{table.Key}\"", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) dump.AppendLine(reader.GetString(0));
        }
        return System.Text.Encoding.UTF8.GetBytes(dump.ToString());
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_postgresDatabase is not null) Postgres.DropDatabase(PostgresServer!, _postgresDatabase);
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { /* best effort */ }
    }
}

/// <summary>Databases on the test PostgreSQL server, one per app.</summary>
public static class Postgres
{
    public static void CreateDatabase(string server, string name) => Run(server, $"CREATE DATABASE \"{name}\"");

    public static void DropDatabase(string server, string name)
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        Run(server, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    private static void Run(string server, string sql)
    {
        using var connection = new Npgsql.NpgsqlConnection(server);
        connection.Open();
        using var command = new Npgsql.NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}

internal sealed class CapturingLoggerProvider(System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string category) => new Logger(category, lines);
    public void Dispose() { }

    private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel level, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{level} {category}: {formatter(state, exception)} {exception}");
    }
}

public sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;
    public override DateTimeOffset GetUtcNow() => _now;
    public void Advance(TimeSpan by) => _now += by;
    public void Set(DateTimeOffset to) => _now = to;
}
