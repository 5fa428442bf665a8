using System.Collections.Concurrent;
using System.Net;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>
/// The API as its own process on a SQLite file, killed with SIGKILL in the middle of concurrent purchases (group
/// commit batches in flight), then restarted on the same file: every 201 must still be there, nothing twice.
/// </summary>
[Trait("Provider", "Sqlite")] // the same kill on PostgreSQL tests the server's durability, not ours
public sealed class CrashTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "charitypromo-crash", Guid.NewGuid().ToString("N"));
    private readonly ApiProcess _api;
    private ApiProcess? _restarted;

    public CrashTests()
    {
        Directory.CreateDirectory(_folder);
        _api = new ApiProcess($"Data Source={Path.Combine(_folder, "api.db")}", "Sqlite");
    }

    [Fact]
    public async Task AKillNineMidLoadLosesNoAcknowledgedPurchaseAndDuplicatesNone()
    {
        var admin = await _api.CreateKeyAsync("admin");
        var checkout = await _api.CreateKeyAsync("checkout");
        var finance = await _api.CreateKeyAsync("finance");
        await Seed.ContractCampaignAsync(await _api.StartAsync(admin));
        var http = _api.Client(checkout);

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
        await _api.KillAsync();
        stop.Cancel();
        await Task.WhenAll(workers);

        _restarted = new ApiProcess($"Data Source={Path.Combine(_folder, "api.db")}", "Sqlite");
        await _restarted.StartAsync();
        var rows = (await (await _restarted.Client(finance).GetAsync("/api/reports/pledges?format=json&limit=5000")).Expect(HttpStatusCode.OK))["items"]!.AsArray()
            .ToLookup(r => r!.Str("orderId"), r => r!.Str("purchaseId"));
        foreach (var (order, id) in acknowledged) rows[order].ShouldBe([id], order);

        // Requests cut off without an answer are retried with their keys: each order ends up recorded exactly once.
        foreach (var order in attempted.Where(o => !acknowledged.ContainsKey(o)))
            await (await _restarted.Client(checkout).PostJson("/api/purchases", Seed.Purchase(order, customerRef: null), order)).Expect(HttpStatusCode.Created);
        var totals = await (await _restarted.Client().GetAsync("/api/campaigns/literacy-2026")).Expect(HttpStatusCode.OK);
        totals.Long("totals.purchases").ShouldBe(attempted.Count);
        totals.Long("totals.raised").ShouldBe(attempted.Count * 351L);
        var invariants = await (await _restarted.Client(admin).GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
        invariants["ok"]!.GetValue<bool>().ShouldBeTrue(invariants.ToJsonString());
    }

    public void Dispose()
    {
        _api.Dispose();
        _restarted?.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { /* best effort */ }
    }
}
