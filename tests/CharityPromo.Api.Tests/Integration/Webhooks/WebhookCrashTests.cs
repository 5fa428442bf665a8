using System.Net;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration.Webhooks;

/// <summary>
/// The API as its own process, killed with SIGKILL while the dispatcher is mid-send (the receiver holds its requests),
/// then restarted on the same SQLite file: every event of an acknowledged purchase still arrives, some perhaps twice.
/// </summary>
[Trait("Provider", "Sqlite")]
public sealed class WebhookCrashTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "charitypromo-crash", Guid.NewGuid().ToString("N"));
    private readonly List<ApiProcess> _processes = [];
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _receiver = await WebhookReceiver.StartAsync();
    }

    private ApiProcess Process()
    {
        var api = new ApiProcess($"Data Source={Path.Combine(_folder, "api.db")}", "Sqlite");
        api.Environment["Webhooks__AllowLoopback"] = "true";
        api.Environment["Webhooks__PollInterval"] = "00:00:00.05";
        api.Environment["Webhooks__Timeout"] = "00:00:05";
        api.Environment["Webhooks__Lease"] = "00:00:06"; // a send cut off by the kill goes again once this has passed
        api.Environment["Webhooks__BatchSize"] = "8";
        _processes.Add(api);
        return api;
    }

    [Fact]
    public async Task AKillNineMidDispatchLosesNoEventAndAtMostDuplicates()
    {
        var api = Process();
        var admin = await api.CreateKeyAsync("admin");
        var checkout = await api.CreateKeyAsync("checkout");
        var adminHttp = await api.StartAsync(admin);
        await Seed.ContractCampaignAsync(adminHttp);
        var registered = await (await adminHttp.PostJson("/api/webhook-endpoints", new { url = _receiver.Url, events = new[] { "purchase.confirmed" } }))
            .Expect(HttpStatusCode.Created);

        var held = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiver.Answer = _ => held.Task; // every request hangs until the process is dead
        var orders = Enumerable.Range(0, 40).Select(i => $"WH-CRASH-{i}").ToList();
        var http = api.Client(checkout);
        foreach (var order in orders)
            await (await http.PostJson("/api/purchases", Seed.Purchase(order, customerRef: null), order)).Expect(HttpStatusCode.Created);
        await _receiver.WaitForAsync(_ => true, count: 8); // a claimed batch is in flight
        await api.KillAsync();
        held.SetResult(200);
        _receiver.Answer = _ => Task.FromResult(200);

        var restarted = Process();
        var after = await restarted.StartAsync(admin);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (orders.Any(o => !_receiver.Requests.Any(r => r.Body.Contains($"\"{o}\"", StringComparison.Ordinal))) && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        foreach (var order in orders) _receiver.Requests.ShouldContain(r => r.Body.Contains($"\"{order}\"", StringComparison.Ordinal), order);
        _receiver.Requests.Select(r => r.EventId).Distinct().Count().ShouldBe(orders.Count); // one event per purchase, some sent twice

        var deliveries = await (await after.GetAsync($"/api/webhook-endpoints/{registered.Str("id")}/deliveries?limit=100")).Expect(HttpStatusCode.OK);
        while (deliveries.AsArray().Any(d => d!.Str("status") != "delivered") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            deliveries = await (await after.GetAsync($"/api/webhook-endpoints/{registered.Str("id")}/deliveries?limit=100")).Expect(HttpStatusCode.OK);
        }
        deliveries.AsArray().Count.ShouldBe(orders.Count);
        deliveries.AsArray().ShouldAllBe(d => d!.Str("status") == "delivered");
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes) process.Dispose();
        await _receiver.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { /* best effort */ }
    }
}
