using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>
/// Debian's Prometheus (scripts/test.sh installs it) scrapes a running API with an admin key, as an operator's would,
/// and is asked for what the API published: the purchase counter and the request-duration histogram.
/// </summary>
[Trait("Provider", "Sqlite")] // what is scraped does not depend on the database
public sealed class PrometheusScrapeTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "charitypromo-prometheus", Guid.NewGuid().ToString("N"));
    private ApiProcess? _api;
    private Process? _prometheus;

    [Fact]
    public async Task PrometheusScrapesThePurchaseCounterAndRequestDurationsWithAnAdminKey()
    {
        var binary = new[] { "/usr/bin/prometheus", "/usr/local/bin/prometheus" }.FirstOrDefault(File.Exists)
                     ?? throw new InvalidOperationException("Prometheus is not installed: scripts/test.sh installs Debian's prometheus package.");
        Directory.CreateDirectory(_folder);
        _api = new ApiProcess($"Data Source={Path.Combine(_folder, "api.db")}", "Sqlite");
        _api.Environment["Observability__Prometheus"] = "true";
        var key = await _api.CreateKeyAsync("admin,checkout");
        var client = await _api.StartAsync(key);
        await Seed.ContractCampaignAsync(client);
        await (await client.PostJson("/api/purchases", Seed.Purchase("PROM-1"), "prom-1")).Expect(HttpStatusCode.Created);

        var port = ApiProcess.FreePort();
        var config = Path.Combine(_folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: charitypromo
                metrics_path: /metrics
                authorization:
                  type: Bearer
                  credentials: {key}
                static_configs:
                  - targets: ['127.0.0.1:{_api.Port}']
            """);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_folder, "tsdb")}", $"--web.listen-address=127.0.0.1:{port}" })
            start.ArgumentList.Add(arg);
        _prometheus = Process.Start(start)!;
        _prometheus.OutputDataReceived += (_, l) => { if (l.Data is not null) output.Enqueue(l.Data); };
        _prometheus.ErrorDataReceived += (_, l) => { if (l.Data is not null) output.Enqueue(l.Data); };
        _prometheus.BeginOutputReadLine();
        _prometheus.BeginErrorReadLine();

        using var prometheus = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        async Task<JsonArray> QueryAsync(string query)
        {
            for (var i = 0; i < 120; i++) // Prometheus starts, then scrapes every second
            {
                try
                {
                    var answer = JsonNode.Parse(await prometheus.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}"))!;
                    if (answer["data"]!["result"]!.AsArray() is { Count: > 0 } result) return result;
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }
                await Task.Delay(250);
            }
            throw new TimeoutException($"Prometheus has nothing for {query}:\n{string.Join('\n', output)}");
        }

        var up = await QueryAsync("up{job=\"charitypromo\"} == 1"); // scraped with the key: a 401 or 403 would be up == 0
        up.Count.ShouldBe(1);
        var purchases = (await QueryAsync("charitypromo_purchases_recorded_total")).Single()!;
        purchases["metric"]!["currency"]!.GetValue<string>().ShouldBe("usd");
        purchases["metric"]!["payment_method"]!.GetValue<string>().ShouldBe("external");
        purchases["value"]![1]!.GetValue<string>().ShouldBe("1");
        var durations = await QueryAsync("http_server_request_duration_seconds_count{http_route=\"/api/purchases/\",http_request_method=\"POST\"}");
        durations.Sum(d => double.Parse(d!["value"]![1]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ShouldBeGreaterThanOrEqualTo(1);
        (await QueryAsync("http_server_request_duration_seconds_bucket")).Count.ShouldBeGreaterThan(1);
    }

    public void Dispose()
    {
        if (_prometheus is { HasExited: false })
        {
            _prometheus.Kill(entireProcessTree: true);
            _prometheus.WaitForExit();
        }
        _prometheus?.Dispose();
        _api?.Dispose();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
