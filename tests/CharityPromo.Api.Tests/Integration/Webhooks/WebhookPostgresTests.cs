using System.Net;
using CharityPromo.Testing;
using Npgsql;

namespace CharityPromo.Api.Tests.Integration.Webhooks;

/// <summary>PostgreSQL only: several instances' dispatchers share one outbox, claiming with SKIP LOCKED.</summary>
[Trait("Provider", "Postgres")]
public sealed class WebhookPostgresTests : IAsyncLifetime
{
    private readonly string _server = ApiFactory.PostgresServer
        ?? throw new InvalidOperationException("These tests need CHARITYPROMO_TEST_POSTGRES: run scripts/test.sh, which starts a throwaway PostgreSQL.");
    private readonly string _database = $"cp_test_{Guid.NewGuid():N}";
    private readonly List<ApiProcess> _processes = [];
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        Postgres.CreateDatabase(_server, _database);
        _receiver = await WebhookReceiver.StartAsync();
    }

    private ApiProcess Instance()
    {
        var api = new ApiProcess(new NpgsqlConnectionStringBuilder(_server) { Database = _database }.ConnectionString, "Postgres");
        api.Environment["Webhooks__AllowLoopback"] = "true";
        api.Environment["Webhooks__PollInterval"] = "00:00:00.02";
        api.Environment["Webhooks__BatchSize"] = "4"; // small claims, so the instances' rounds interleave
        _processes.Add(api);
        return api;
    }

    [Fact]
    public async Task ThreeInstancesDeliverEveryEventExactlyOnceWhenNothingFails()
    {
        var first = Instance();
        var admin = await first.CreateKeyAsync("admin");
        var checkout = await first.CreateKeyAsync("checkout");
        var adminHttp = await first.StartAsync(admin);
        await Seed.ContractCampaignAsync(adminHttp);
        var endpoint = await (await adminHttp.PostJson("/api/webhook-endpoints", new { url = _receiver.Url, events = new[] { "purchase.confirmed" } }))
            .Expect(HttpStatusCode.Created);
        var others = new[] { Instance(), Instance() };
        foreach (var other in others) await other.StartAsync();
        // Every instance's dispatcher sees every delivery; a slow receiver keeps claims open while the others look.
        _receiver.Answer = async _ =>
        {
            await Task.Delay(20);
            return 200;
        };

        var instances = new[] { first, others[0], others[1] };
        var orders = Enumerable.Range(0, 90).Select(i => $"WH-PG-{i}").ToList();
        await Task.WhenAll(orders.Select(async (order, i) =>
            await (await instances[i % 3].Client(checkout).PostJson("/api/purchases", Seed.Purchase(order, customerRef: null), order)).Expect(HttpStatusCode.Created)));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var log = await (await adminHttp.GetAsync($"/api/webhook-endpoints/{endpoint.Str("id")}/deliveries?limit=100")).Expect(HttpStatusCode.OK);
        while ((log.AsArray().Count < orders.Count || log.AsArray().Any(d => d!.Str("status") != "delivered")) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            log = await (await adminHttp.GetAsync($"/api/webhook-endpoints/{endpoint.Str("id")}/deliveries?limit=100")).Expect(HttpStatusCode.OK);
        }
        await Task.Delay(500); // a duplicate would have arrived by now
        foreach (var order in orders) _receiver.Requests.Count(r => r.Body.Contains($"\"{order}\"", StringComparison.Ordinal)).ShouldBe(1, order);
        log.AsArray().Count.ShouldBe(orders.Count);
        log.AsArray().ShouldAllBe(d => d!.Str("status") == "delivered" && d!["attempts"]!.AsArray().Count == 1);
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes) process.Dispose();
        await _receiver.DisposeAsync();
        Postgres.DropDatabase(_server, _database);
    }
}
