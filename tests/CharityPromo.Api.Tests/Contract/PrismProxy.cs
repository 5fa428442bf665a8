using System.Collections.Concurrent;
using System.Diagnostics;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Contract;

/// <summary>
/// Stoplight Prism's validating proxy (pinned in scripts/openapi/package.json) in front of the API: it forwards every
/// request, and lists in each answer's <c>sl-violations</c> header what, in the request or the answer, the document forbids.
/// </summary>
public sealed class PrismProxy : IAsyncDisposable
{
    public static string Executable => Repository.PathTo("scripts", "openapi", "node_modules", ".bin", "prism");

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    public Uri Address { get; }

    private PrismProxy(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>Starts Prism on a free loopback port with <paramref name="document"/> in front of <paramref name="upstream"/>.</summary>
    public static async Task<PrismProxy> StartAsync(string document, Uri upstream)
    {
        if (!File.Exists(Executable))
            throw new InvalidOperationException($"No Prism at {Executable}: run `npm ci` in scripts/openapi (scripts/test.sh does).");
        var port = ApiProcess.FreePort();
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        // --errors=false: request violations are reported, not answered by Prism, so every request reaches the API and
        // the pass sees what both say about it.
        foreach (var arg in new[] { "proxy", document, upstream.ToString().TrimEnd('/'), "--host", "127.0.0.1", "--port", $"{port}", "--errors=false", "--verboseLevel", "warn" })
            start.ArgumentList.Add(arg);
        start.Environment["SCARF_ANALYTICS"] = "false"; // no install-time telemetry
        var proxy = new PrismProxy(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
        proxy._process.OutputDataReceived += (_, line) => { if (line.Data is not null) proxy._output.Enqueue(line.Data); };
        proxy._process.ErrorDataReceived += (_, line) => { if (line.Data is not null) proxy._output.Enqueue(line.Data); };
        proxy._process.BeginOutputReadLine();
        proxy._process.BeginErrorReadLine();

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (var i = 0; i < 300; i++)
        {
            if (proxy._process.HasExited) break;
            try
            {
                await probe.GetAsync(new Uri(proxy.Address, "/health/live"));
                return proxy;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        var output = string.Join('\n', proxy._output);
        await proxy.DisposeAsync();
        throw new InvalidOperationException($"Prism did not start:\n{output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
