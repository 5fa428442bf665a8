using System.Net;
using CharityPromo.Api.Data;
using CharityPromo.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>The per-request look-ups run on connections kept open (SqliteReaders): open, yet never holding the database back.</summary>
public class SqliteReadersTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task LookUpsKeepConnectionsOpenButHoldNoReadTransaction()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        await Seed.ContractCampaignAsync(admin, slug: "readers");
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        var body = Seed.Purchase("RD-1", campaign: "readers");
        var first = await checkout.PostJson("/api/purchases", body, "readers-1");
        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        var replay = await checkout.PostJson("/api/purchases", body, "readers-1"); // answered by the look-up before the writer
        replay.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
        (await replay.Content.ReadAsStringAsync()).ShouldBe(await first.Content.ReadAsStringAsync());

        var readers = app.Services.GetRequiredService<SqliteReaders>();
        if (app.Provider != "Sqlite")
        {
            readers.Idle.ShouldBe(0); // PostgreSQL reads on the context's pooled connection
            return;
        }
        readers.Idle.ShouldBeGreaterThan(0);
        // A read transaction left open by an idle reader would keep the WAL from being reset (busy = 1) and pin its snapshot.
        await using var other = new SqliteConnection(app.ConnectionString);
        await other.OpenAsync();
        await using var checkpoint = other.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        await using (var result = await checkpoint.ExecuteReaderAsync())
        {
            (await result.ReadAsync()).ShouldBeTrue();
            result.GetInt64(0).ShouldBe(0, "busy: a reader still holds a read transaction");
        }
        readers.Idle.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void ReadersReuseIdleConnectionsKeepOnlyAFewAndCloseThemWhenDisposed()
    {
        var folder = Directory.CreateTempSubdirectory("charitypromo-readers").FullName;
        try
        {
            var connectionString = $"Data Source={Path.Combine(folder, "readers.db")}";
            var readers = new SqliteReaders();
            var first = readers.Rent(connectionString);
            readers.Return(first, healthy: true);
            readers.Rent(connectionString).ShouldBeSameAs(first); // still open, its prepared commands with it

            var keep = Environment.ProcessorCount * 2;
            var rented = Enumerable.Range(0, keep + 3).Select(_ => readers.Rent(connectionString)).Prepend(first).ToList();
            rented.ShouldAllBe(c => c.State == System.Data.ConnectionState.Open);
            foreach (var connection in rented) readers.Return(connection, healthy: true);
            readers.Idle.ShouldBe(keep);
            rented.Count(c => c.State == System.Data.ConnectionState.Open).ShouldBe(keep);

            var failed = readers.Rent(connectionString);
            readers.Return(failed, healthy: false); // a read that failed midway does not hand its connection on
            failed.State.ShouldBe(System.Data.ConnectionState.Closed);

            var elsewhere = readers.Rent($"Data Source={Path.Combine(folder, "other.db")}");
            rented.ShouldNotContain(elsewhere); // another database never gets a connection to this one
            readers.Return(elsewhere, healthy: true);

            readers.Dispose();
            rented.Append(elsewhere).ShouldAllBe(c => c.State == System.Data.ConnectionState.Closed);
            readers.Idle.ShouldBe(0);
            Should.Throw<ObjectDisposedException>(() => readers.Rent(connectionString));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
