using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CharityPromo.Api.Data;

internal static class DataSetup
{
    public const string DefaultConnectionString = "Data Source=data/charitypromo.db";

    /// <summary>Registers <see cref="AppDb"/> for <c>Database:Provider</c> (Sqlite; PostgreSQL is planned, see DESIGN.md).</summary>
    public static IServiceCollection AddAppDb(this IServiceCollection services, IConfiguration config)
    {
        var provider = config["Database:Provider"] ?? "Sqlite";
        if (!provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Database:Provider '{provider}' is not supported by this build; use 'Sqlite'.");

        var connectionString = config.GetConnectionString("Default") ?? DefaultConnectionString;
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && Path.GetDirectoryName(Path.GetFullPath(file)) is { } folder)
            Directory.CreateDirectory(folder); // SQLite creates the file, not the folder it lives in

        // Pooled: +19% on the public totals read in scripts/bench.sh (docs/BENCHMARKS.md); AppDb keeps no state of its own.
        services.AddDbContextPool<AppDb>(o => o
            .UseSqlite(connectionString)
            .AddInterceptors(new SqlitePragmas())
            // A unique key refusing a duplicate is an expected answer (409, replay), not an error to log;
            // real failures still surface as exceptions and are logged as 500s.
            .ConfigureWarnings(w => w.Log((RelationalEventId.CommandError, LogLevel.Debug), (CoreEventId.SaveChangesFailed, LogLevel.Debug))));
        return services;
    }
}
