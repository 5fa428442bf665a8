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
/// The real API on Kestrel at 127.0.0.1 with its own SQLite file, created by the real migrations, and a
/// clock the test can move. One per test class (xunit class fixture): nothing is shared between classes.
/// </summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "charitypromo-tests", Guid.NewGuid().ToString("N"));

    public ApiFactory()
    {
        Directory.CreateDirectory(_folder);
        UseKestrel(0);
    }

    public string DbPath => Path.Combine(_folder, "api.db");
    public TestClock Clock { get; } = new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
    public Dictionary<string, string> Settings { get; } = new();
    /// <summary>Every line the app logged, with its exception, so tests can check what never reaches the logs.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Default", $"Data Source={DbPath}");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Logs)).SetMinimumLevel(LogLevel.Trace));
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    /// <summary>A client that talks to the Kestrel server over real HTTP.</summary>
    public HttpClient Client(string? apiKey = null)
    {
        StartServer();
        var client = CreateClient();
        if (apiKey is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>Creates an API key the way the CLI does and returns the secret.</summary>
    public async Task<string> CreateKeyAsync(string scopes, string? name = null)
    {
        StartServer();
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var output = new StringWriter();
        var exit = await KeysCli.RunAsync(db, ["create", "--name", name ?? $"key-{Guid.NewGuid():N}", "--scopes", scopes], output, TextWriter.Null, Clock.GetUtcNow().UtcDateTime);
        if (exit != 0) throw new InvalidOperationException($"keys create failed with {exit}");
        return output.ToString().TrimEnd().Split('\n').Last().Trim();
    }

    /// <summary>Runs a query against the app's own database.</summary>
    internal async Task<T> WithDbAsync<T>(Func<AppDb, Task<T>> query)
    {
        StartServer();
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<AppDb>());
    }

    /// <summary>
    /// The database's bytes, through SQLite's online backup. Never read the live file from this process:
    /// closing any handle on it drops all of the process's POSIX locks on it, SQLite's included.
    /// </summary>
    public async Task<byte[]> DatabaseBytesAsync()
    {
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

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { /* best effort */ }
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
