using System.Net;
using CharityPromo.Api.Data;
using CharityPromo.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>
/// <c>ConnectionStrings:Reports</c> sends finance's reports and exports to a replica: here a second SQLite file that
/// lags the primary until the test copies the primary into it, as replication would.
/// </summary>
[Trait("Provider", "Sqlite")] // the replica is made with SQLite's online backup
public sealed class ReportsReplicaTests : IAsyncLifetime
{
    private readonly ApiFactory _app = new();
    private readonly string _replica = Path.Combine(Path.GetTempPath(), "charitypromo-tests", $"replica-{Guid.NewGuid():N}.db");

    public async Task InitializeAsync()
    {
        // The replica has the schema (replication would bring it) and none of the primary's rows yet.
        await using (var db = new AppDb(new DbContextOptionsBuilder<AppDb>().UseSqlite($"Data Source={_replica}").Options))
            await Migrator.MigrateAsync(db);
        SqliteConnection.ClearAllPools();
        _app.Settings["ConnectionStrings:Reports"] = $"Data Source={_replica}";
    }

    [Fact]
    public async Task ReportsAndExportsReadTheReplicaWhileWritesAndOtherReadsUseThePrimary()
    {
        var admin = _app.Client(await _app.CreateKeyAsync("admin"));
        var finance = _app.Client(await _app.CreateKeyAsync("finance"));
        var checkout = _app.Client(await _app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin);
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("REPLICA-1"), "replica-1")).Expect(HttpStatusCode.Created);

        // Recorded on the primary (purchases and totals read it) …
        (await (await finance.GetAsync("/api/purchases?orderId=REPLICA-1")).Expect(HttpStatusCode.OK)).AsArray().Count.ShouldBe(1);
        // … and not yet in any report, which reads the replica.
        (await (await finance.GetAsync("/api/reports/pledges?format=json")).Expect(HttpStatusCode.OK))["items"]!.AsArray().ShouldBeEmpty();
        (await finance.GetAsync("/api/reports/pledges?format=json&campaign=literacy-2026")).StatusCode.ShouldBe(HttpStatusCode.BadRequest); // no such campaign there yet
        (await (await finance.GetAsync("/api/reports/liability")).Expect(HttpStatusCode.OK))["charities"]!.AsArray().ShouldBeEmpty();

        await ReplicateAsync();
        var rows = (await (await finance.GetAsync("/api/reports/pledges?format=json&campaign=literacy-2026")).Expect(HttpStatusCode.OK))["items"]!.AsArray();
        rows.Single()!.Str("orderId").ShouldBe("REPLICA-1");
        (await (await finance.GetAsync("/api/reports/pledges.csv")).Content.ReadAsStringAsync()).ShouldContain("REPLICA-1");
        (await (await finance.GetAsync("/api/reports/summary")).Expect(HttpStatusCode.OK))["byCampaign"]!.AsArray().ShouldNotBeEmpty();

        // Writes never reach the replica: the next purchase waits for the next replication.
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("REPLICA-2"), "replica-2")).Expect(HttpStatusCode.Created);
        (await (await finance.GetAsync("/api/reports/pledges?format=json")).Expect(HttpStatusCode.OK))["items"]!.AsArray().Count.ShouldBe(1);
    }

    /// <summary>The primary's rows into the replica, through SQLite's online backup (what a replication step would do).</summary>
    private async Task ReplicateAsync()
    {
        await using var primary = new SqliteConnection($"Data Source={_app.DbPath}");
        await using var replica = new SqliteConnection($"Data Source={_replica}");
        await primary.OpenAsync();
        await replica.OpenAsync();
        primary.BackupDatabase(replica);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(_replica)!, Path.GetFileName(_replica) + "*")) File.Delete(file);
    }
}
