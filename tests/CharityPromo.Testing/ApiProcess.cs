using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace CharityPromo.Testing;

/// <summary>The API as its own process (the built CharityPromo.Api.dll), as operators run it: for crash and scale-out tests.</summary>
public sealed class ApiProcess(string connectionString, string provider) : IDisposable
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "CharityPromo.Api.dll");
    private Process? _process;

    public int Port { get; } = FreePort();
    /// <summary>What the server wrote to stdout and stderr, to show when a test fails.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Output { get; } = new();
    /// <summary>Settings added to (or overriding) the server's environment.</summary>
    public Dictionary<string, string> Environment { get; } = new();
    /// <summary>Where the server runs from (default: the test's own directory).</summary>
    public string? WorkingDirectory { get; set; }

    private ProcessStartInfo StartInfo(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = WorkingDirectory ?? "" };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["ConnectionStrings__Default"] = connectionString;
        start.Environment["Database__Provider"] = provider;
        start.Environment["RateLimiting__PerKeyPerSecond"] = "100000";
        start.Environment["RateLimiting__PerKeyBurst"] = "100000";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Remittances__HoldDays"] = "0"; // as ApiFactory: tests remit what they just recorded
        // It runs as in production, which requires the key from outside the database; every process of a test shares it.
        start.Environment["Security__CustomerRefKey"] = "test-only customer-ref key, 32+ bytes long";
        foreach (var (name, value) in Environment) start.Environment[name] = value;
        return start;
    }

    /// <summary>Runs <c>keys create</c> against the same database and returns the new key.</summary>
    public async Task<string> CreateKeyAsync(string scopes)
    {
        using var process = Process.Start(StartInfo("keys", "create", "--name", $"proc-{Guid.NewGuid():N}", "--scopes", scopes))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"keys create failed: {await stderr}");
        return (await stdout).TrimEnd().Split('\n').Last().Trim();
    }

    /// <summary>Starts the server and waits until /health/ready answers; returns a client for it.</summary>
    public async Task<HttpClient> StartAsync(string? apiKey = null)
    {
        _process = new Process { StartInfo = StartInfo("--urls", $"http://127.0.0.1:{Port}") };
        _process.OutputDataReceived += (_, line) => { if (line.Data is not null) Output.Enqueue(line.Data); };
        _process.ErrorDataReceived += (_, line) => { if (line.Data is not null) Output.Enqueue(line.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var i = 0; i < 150; i++)
        {
            try
            {
                using var probe = new HttpClient();
                if ((await probe.GetAsync($"http://127.0.0.1:{Port}/health/ready")).IsSuccessStatusCode) return Client(apiKey);
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("The API did not become ready.");
    }

    public HttpClient Client(string? apiKey = null)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return http;
    }

    /// <summary>SIGKILL: no shutdown, whatever is in flight is cut off.</summary>
    public async Task KillAsync()
    {
        _process!.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        _process?.Dispose();
    }
}
