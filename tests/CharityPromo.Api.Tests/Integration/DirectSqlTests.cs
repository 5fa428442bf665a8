using System.Data.Common;
using CharityPromo.Api.Data;
using CharityPromo.Api.Ledger;
using CharityPromo.Api.Purchases;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>The writer's hot statements bypass EF's commands (DirectSql); they must store what EF stores and never leave their transaction.</summary>
public class DirectSqlTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task RowsInsertedDirectlyAreStoredExactlyAsSaveChangesStoresThem()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var campaign = await CampaignAsync(db, "direct");
        var now = new DateTime(2026, 6, 1, 12, 34, 56, 789, DateTimeKind.Utc).AddTicks(1230); // whole microseconds: PostgreSQL keeps no finer
        (Purchase, LedgerEntry) Row(string order)
        {
            var purchase = new Purchase
            {
                ClientId = Guid.NewGuid(), OrderId = order, ReceiptCode = ReceiptCodes.New(), CampaignId = campaign.Id,
                CharityId = campaign.Charities[0].CharityId, Currency = "usd", Amount = 4999, Donation = new(250, 0, 1, 0),
                DonationTotal = 251, Status = PurchaseStatus.PartiallyRefunded, PaymentMethod = "external", PaymentStatus = "succeeded",
                CustomerHash = null, CreatedUtc = now, ConfirmedUtc = now.AddSeconds(1),
            };
            var entry = LedgerWriter.Entry(purchase, LedgerKind.Confirmed, new(250, 0, 1, 0), LedgerWriter.PurchaseCause, null, now);
            return (purchase, entry);
        }

        var (byEf, byEfEntry) = Row("EF-1");
        var (direct, directEntry) = Row("DIRECT-1");
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            db.AddRange(byEf, byEfEntry);
            await db.SaveChangesAsync();
            await db.InsertAsync([direct, directEntry]);
            await tx.CommitAsync();
        }
        db.ChangeTracker.Clear();

        // Column by column, as the database holds them (SQLite: text GUIDs and timestamps, enums by name).
        var differ = new HashSet<string> { "Id", "ClientId", "OrderId", "ReceiptCode", "PurchaseId" };
        (await RawRowAsync(db, "Purchases", direct.Id)).Where(c => !differ.Contains(c.Key))
            .ShouldBe((await RawRowAsync(db, "Purchases", byEf.Id)).Where(c => !differ.Contains(c.Key)));
        (await RawRowAsync(db, "Ledger", directEntry.Id)).Where(c => !differ.Contains(c.Key))
            .ShouldBe((await RawRowAsync(db, "Ledger", byEfEntry.Id)).Where(c => !differ.Contains(c.Key)));

        // And EF reads them back as they were.
        var read = await db.Purchases.AsNoTracking().SingleAsync(p => p.Id == direct.Id);
        (read.ClientId, read.OrderId, read.Status, read.CreatedUtc, read.ConfirmedUtc, read.CustomerHash)
            .ShouldBe((direct.ClientId, "DIRECT-1", PurchaseStatus.PartiallyRefunded, now, now.AddSeconds(1), (string?)null));
        (await db.Ledger.AsNoTracking().SingleAsync(l => l.PurchaseId == direct.Id)).Kind.ShouldBe(LedgerKind.Confirmed);
    }

    [Fact]
    public async Task AnInsertReportsWhatEachFollowingStatementChangedAndARefusalAppliesNoneOfIt()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var campaign = await CampaignAsync(db, "direct-batch");
        var client = Guid.NewGuid();
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            var changed = await db.InsertAsync([NewPurchase(campaign, "B-1", client)], [
                $"""UPDATE "Campaigns" SET "MatchUsed" = "MatchUsed" + {5L} WHERE "Id" = {campaign.Id}""",
                $"""UPDATE "Campaigns" SET "MatchUsed" = "MatchUsed" + {5L} WHERE "Id" = {Guid.NewGuid()}""",
            ]);
            changed.ShouldBe([1, 0]);

            // The second row is refused: the first row and the statement after them are undone with it.
            var refused = await Should.ThrowAsync<DbUpdateException>(() => db.InsertAsync(
                [NewPurchase(campaign, "B-2", client), NewPurchase(campaign, "B-1", client)],
                [$"""UPDATE "Campaigns" SET "MatchUsed" = "MatchUsed" + {100L} WHERE "Id" = {campaign.Id}"""]));
            DbErrors.IsUniqueViolationOn(refused, "Purchases.OrderId").ShouldBeTrue(refused.InnerException!.Message);
            (await db.InsertAsync([NewPurchase(campaign, "B-3", client)])).ShouldBeEmpty(); // and the transaction carries on (PostgreSQL would refuse every later command had the batch not been guarded)
            await tx.CommitAsync();
        }
        db.ChangeTracker.Clear();
        (await db.Purchases.Where(p => p.ClientId == client).Select(p => p.OrderId).OrderBy(o => o).ToListAsync()).ShouldBe(["B-1", "B-3"]);
        (await db.Campaigns.AsNoTracking().SingleAsync(c => c.Id == campaign.Id)).MatchUsed.ShouldBe(campaign.MatchUsed + 5);
    }

    [Fact]
    public async Task PreparedStatementsNeverOutliveTheirConnectionSoNothingRunsOutsideItsTransaction()
    {
        // The connection pool hands a reopened connection whichever SQLite handle is free. Statements prepared in one
        // transaction and reused after the handle changed would run on another connection's handle: outside this
        // transaction (committed even though it rolls back) or blocked by it ("database is locked").
        var client = Guid.NewGuid();
        var handles = new HashSet<IntPtr>();
        for (var round = 0; round < 40; round++)
        {
            // Other connections hold handles while the write opens, so its handle moves around between rounds.
            var readers = Enumerable.Range(0, round % 6).Select(_ => app.Services.CreateAsyncScope()).ToList();
            foreach (var reader in readers)
            {
                var readerDb = reader.ServiceProvider.GetRequiredService<AppDb>();
                await readerDb.Database.OpenConnectionAsync();
                await readerDb.Campaigns.CountAsync();
            }
            await using (var writer = app.Services.CreateAsyncScope()) // a pooled context per batch, like the WriteBatcher
            {
                var db = writer.ServiceProvider.GetRequiredService<AppDb>();
                await using var tx = await db.Database.BeginTransactionAsync();
                if (db.Database.GetDbConnection() is Microsoft.Data.Sqlite.SqliteConnection { Handle: { } handle }) handles.Add(handle.DangerousGetHandle());
                var inserted = await db.ExecuteAsync($"""
                    INSERT INTO "IdempotencyRecords" ("ClientId", "Key", "Fingerprint", "StatusCode", "ContentType", "Location", "Body", "CreatedUtc")
                    VALUES ({client}, {$"round-{round}"}, {"f"}, {200}, {"text/plain"}, {(string?)null}, {Array.Empty<byte>()}, {DateTime.UtcNow})
                    """);
                inserted.ShouldBe(1);
                await tx.RollbackAsync();
            }
            foreach (var reader in readers) await reader.DisposeAsync();
        }
        await using var check = app.Services.CreateAsyncScope();
        (await check.ServiceProvider.GetRequiredService<AppDb>().IdempotencyRecords.CountAsync(r => r.ClientId == client)).ShouldBe(0);
        if (app.Provider == "Sqlite") handles.Count.ShouldBeGreaterThan(1, "the write never changed SQLite handle, so this proves nothing");
    }

    private static Purchase NewPurchase(Campaigns.Campaign campaign, string order, Guid client) => new()
    {
        ClientId = client, OrderId = order, ReceiptCode = ReceiptCodes.New(), CampaignId = campaign.Id,
        CharityId = campaign.Charities[0].CharityId, Currency = "usd", Amount = 100, PaymentMethod = "external", PaymentStatus = "succeeded",
    };

    /// <summary>A campaign created through the API, read back with its charities.</summary>
    private async Task<Campaigns.Campaign> CampaignAsync(AppDb db, string slug)
    {
        await Seed.ContractCampaignAsync(app.Client(await app.CreateKeyAsync("admin")), slug: slug);
        return await db.Campaigns.Include(c => c.Charities).SingleAsync(c => c.Slug == slug);
    }

    private static async Task<List<KeyValuePair<string, object?>>> RawRowAsync(AppDb db, string table, Guid id)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\" WHERE \"Id\" = @id";
            var parameter = command.CreateParameter();
            parameter.ParameterName = "id";
            parameter.Value = db.Database.IsNpgsql() ? id : id.ToString().ToUpperInvariant();
            command.Parameters.Add(parameter);
            await using DbDataReader reader = await command.ExecuteReaderAsync();
            (await reader.ReadAsync()).ShouldBeTrue($"{table} {id} was not stored");
            return Enumerable.Range(0, reader.FieldCount).Select(i => KeyValuePair.Create(reader.GetName(i), reader.IsDBNull(i) ? null : reader.GetValue(i))).ToList();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
