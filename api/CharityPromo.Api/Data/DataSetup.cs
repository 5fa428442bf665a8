using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CharityPromo.Api.Data;

internal static class DataSetup
{
    public const string DefaultConnectionString = "Data Source=data/charitypromo.db";

    /// <summary>Registers <see cref="AppDb"/> for <c>Database:Provider</c>: Sqlite (one instance) or Postgres (several).</summary>
    public static IServiceCollection AddAppDb(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton<SqliteReaders>(); // unused on PostgreSQL
        var provider = config["Database:Provider"] ?? "Sqlite";
        var connectionString = config.GetConnectionString("Default");
        if (provider.Equals("Postgres", StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(connectionString))
                throw new InvalidOperationException("Database:Provider 'Postgres' needs ConnectionStrings:Default (Host=…;Database=…;Username=…).");
            // Prepared statements unless the operator chose otherwise: each write is a dozen short statements,
            // and parsing them every time costs a third of the write rate (124–134 → 149–210 req/s in A/B runs).
            var npgsql = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)) npgsql.MaxAutoPrepare = 64;
            services.AddDbContextPool<AppDb>(o => Quiet(o.UseNpgsql(npgsql.ConnectionString)));
            return services.AddReportsDb(config, (o, reports) => o.UseNpgsql(reports));
        }
        if (!provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Database:Provider must be 'Sqlite' or 'Postgres', not '{provider}'.");

        connectionString ??= DefaultConnectionString;
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && Path.GetDirectoryName(Path.GetFullPath(file)) is { } folder)
            Directory.CreateDirectory(folder); // SQLite creates the file, not the folder it lives in

        SqlitePragmas.ConfigureProcess(); // before anything opens a connection
        // Pooled (docs/BENCHMARKS.md measures the public totals read with and without). AppDb's own state — the campaigns
        // read and locked — belongs to the transaction it was gathered in, so a pooled context never carries it into another.
        services.AddDbContextPool<AppDb>(o => Quiet(o.UseSqlite(connectionString).AddInterceptors(new SqlitePragmas())));
        return services.AddReportsDb(config, (o, reports) => o.UseSqlite(reports).AddInterceptors(new SqlitePragmas()));
    }

    /// <summary>
    /// On PostgreSQL, the context migrations run on: <c>ConnectionStrings:Migrations</c>, the tables' owner, when set, so the
    /// app's own role (<c>ConnectionStrings:Default</c>) can be one that may not alter them — above all the audit trail's
    /// append-only triggers (docs/OPERATIONS.md shows the grants). Null: migrate on the app's own connection.
    /// </summary>
    public static AppDb? OwnerDb(IConfiguration config)
    {
        if (config.GetConnectionString("Migrations") is not { Length: > 0 } owner
            || !(config["Database:Provider"] ?? "").Equals("Postgres", StringComparison.OrdinalIgnoreCase)) return null;
        var options = new DbContextOptionsBuilder<AppDb>();
        Quiet(options.UseNpgsql(owner));
        return new AppDb(options.Options);
    }

    /// <summary><see cref="ReportsDb"/>: on <c>ConnectionStrings:Reports</c> when it is set (a replica), else on the primary.</summary>
    private static IServiceCollection AddReportsDb(this IServiceCollection services, IConfiguration config,
        Func<DbContextOptionsBuilder<AppDb>, string, DbContextOptionsBuilder> useProvider)
    {
        var reports = config.GetConnectionString("Reports");
        DbContextOptions<AppDb>? replica = null;
        if (!string.IsNullOrWhiteSpace(reports))
        {
            var options = new DbContextOptionsBuilder<AppDb>();
            Quiet(useProvider(options, reports)).UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);
            replica = options.Options;
        }
        return services.AddScoped(scope => new ReportsDb(scope, replica));
    }

    // A unique key refusing a duplicate is an expected answer (409, replay), not an error to log;
    // real failures still surface as exceptions and are logged as 500s.
    private static DbContextOptionsBuilder Quiet(DbContextOptionsBuilder options) =>
        options.ConfigureWarnings(w => w.Log((RelationalEventId.CommandError, LogLevel.Debug), (CoreEventId.SaveChangesFailed, LogLevel.Debug)));
}
