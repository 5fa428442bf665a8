using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>
/// The API as its own process on a SQLite file, killed with SIGKILL in the middle of concurrent purchases (group
/// commit batches in flight), then restarted on the same file: every 201 must still be there, nothing twice.
/// </summary>
public sealed class CrashTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "charitypromo-crash", Guid.NewGuid().ToString("N"));
    private readonly string _dll = Path.Combine(AppContext.BaseDirectory, "CharityPromo.Api.dll");
    private Process? _api;

    public CrashTests() => Directory.CreateDirectory(_folder);

    private string ConnectionString => $"Data Source={Path.Combine(_folder, "api.db")}";

    private ProcessStartInfo Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(_dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["ConnectionStrings__Default"] = ConnectionString;
        start.Environment["RateLimiting__PerKeyPerSecond"] = "100000";
        start.Environment["RateLimiting__PerKeyBurst"] = "100000";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        return start;
    }

    private async Task<string> CreateKeyAsync(string scopes)
    {
        using var process = Process.Start(Start("keys", "create", "--name", $"crash-{Guid.NewGuid():N}", "--scopes", scopes))!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0);
        return stdout.TrimEnd().Split('\n').Last().Trim();
    }

    private async Task<HttpClient> StartApiAsync(int port)
    {
        _api = Process.Start(Start("--urls", $"http://127.0.0.1:{port}"))!;
        _ = _api.StandardOutput.ReadToEndAsync();
        _ = _api.StandardError.ReadToEndAsync();
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        for (var i = 0; i < 100; i++)
        {
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode) return http;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("The API did not become ready.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task AKillNineMidLoadLosesNoAcknowledgedPurchaseAndDuplicatesNone()
    {
        var admin = await CreateKeyAsync("admin");
        var checkout = await CreateKeyAsync("checkout");
        var finance = await CreateKeyAsync("finance");
        var port = FreePort();
        var http = await StartApiAsync(port);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        await Seed.ContractCampaignAsync(http);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", checkout);

        var acknowledged = new ConcurrentDictionary<string, string>(); // order id → purchase id
        var attempted = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 32).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var order = $"CRASH-{w}-{i}";
                attempted.Add(order);
                try
                {
                    var response = await http.PostJson("/api/purchases", Seed.Purchase(order, customerRef: null), order);
                    if (response.StatusCode == HttpStatusCode.Created) acknowledged[order] = (await response.Json()).Str("id");
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    return; // the server is gone
                }
            }
        })).ToList();

        while (acknowledged.Count < 300) await Task.Delay(20);
        _api!.Kill(entireProcessTree: true); // SIGKILL: no shutdown, batches in flight are cut off
        await _api.WaitForExitAsync();
        stop.Cancel();
        await Task.WhenAll(workers);
        var killedAt = acknowledged.Count;

        var restarted = await StartApiAsync(port);
        restarted.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", finance);
        var rows = (await (await restarted.GetAsync("/api/reports/pledges?format=json&limit=5000")).Expect(HttpStatusCode.OK))["items"]!.AsArray()
            .ToLookup(r => r!.Str("orderId"), r => r!.Str("purchaseId"));
        foreach (var (order, id) in acknowledged) rows[order].ShouldBe([id], order);

        // Requests cut off without an answer are retried with their keys: each order ends up recorded exactly once.
        restarted.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", checkout);
        foreach (var order in attempted.Where(o => !acknowledged.ContainsKey(o)))
            await (await restarted.PostJson("/api/purchases", Seed.Purchase(order, customerRef: null), order)).Expect(HttpStatusCode.Created);
        restarted.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        var totals = await (await restarted.GetAsync("/api/campaigns/literacy-2026")).Expect(HttpStatusCode.OK);
        totals.Long("totals.purchases").ShouldBe(attempted.Count);
        totals.Long("totals.raised").ShouldBe(attempted.Count * 351L);
        var invariants = await (await restarted.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
        invariants["ok"]!.GetValue<bool>().ShouldBeTrue(invariants.ToJsonString());
        killedAt.ShouldBeGreaterThanOrEqualTo(300);
    }

    public void Dispose()
    {
        if (_api is { HasExited: false }) _api.Kill(entireProcessTree: true);
        _api?.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { /* best effort */ }
    }
}
