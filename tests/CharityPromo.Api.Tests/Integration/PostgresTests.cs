using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using CharityPromo.Api.Data;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>PostgreSQL only: its schema, and several API instances on one database. scripts/test.sh starts the server.</summary>
[Trait("Provider", "Postgres")]
public sealed class PostgresTests : IDisposable
{
    private readonly string _server = ApiFactory.PostgresServer
        ?? throw new InvalidOperationException("These tests need CHARITYPROMO_TEST_POSTGRES: run scripts/test.sh, which starts a throwaway PostgreSQL.");
    private readonly List<string> _databases = [];
    private readonly List<ApiProcess> _processes = [];

    private string NewDatabase()
    {
        var name = $"cp_test_{Guid.NewGuid():N}";
        Postgres.CreateDatabase(_server, name);
        _databases.Add(name);
        return new NpgsqlConnectionStringBuilder(_server) { Database = name }.ConnectionString;
    }

    private static AppDb Db(string connectionString) => new(new DbContextOptionsBuilder<AppDb>().UseNpgsql(connectionString).Options);

    [Fact]
    public async Task TheMigrationsCreateExactlyTheSchemaTheModelExpects()
    {
        await using var migrated = Db(NewDatabase());
        await Migrator.MigrateAsync(migrated);
        await Migrator.MigrateAsync(migrated); // twice: nothing more
        await using var fromModel = Db(NewDatabase());
        await fromModel.Database.EnsureCreatedAsync();

        var actual = await DescribeAsync(migrated);
        actual.ShouldBe(await DescribeAsync(fromModel), "The PostgreSQL migrations and the EF model disagree; the model's script is:\n" + fromModel.Database.GenerateCreateScript());
        actual.Count.ShouldBeGreaterThan(100);
        (await migrated.Database.SqlQueryRaw<string>("SELECT version AS \"Value\" FROM __schema_migrations").ToListAsync())
            .ShouldBe(Migrator.Scripts("Postgres").Select(s => s.Version).ToList());
    }

    [Fact]
    public async Task UpgradingGrandfathersTheConsentOfCampaignsNotYetEndedAndAuditsIt()
    {
        var database = NewDatabase();
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            async Task Exec(string sql)
            {
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync();
            }
            await Exec("CREATE TABLE __schema_migrations (version TEXT NOT NULL PRIMARY KEY, applied_utc TEXT NOT NULL);");
            foreach (var (version, sql) in Migrator.Scripts("Postgres").Where(s => string.CompareOrdinal(s.Version, "0013") < 0))
            {
                await Exec(sql);
                await Exec($"INSERT INTO __schema_migrations VALUES ('{version}', '2026-01-01');");
            }
            await Exec("""
                INSERT INTO "Charities" ("Id","Slug","Name","Description","CreatedUtc","UpdatedUtc") VALUES
                  ('11111111-1111-1111-1111-111111111111','running','Running','','2025-01-01','2025-01-01'),
                  ('22222222-2222-2222-2222-222222222222','past','Past','','2025-01-01','2025-01-01');
                INSERT INTO "Campaigns" ("Id","Slug","Name","Description","Currency","Goal","StartsUtc","EndsUtc","RoundUp","AddOn","MatchUsed","CreatedUtc","UpdatedUtc") VALUES
                  ('aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa','now-running','N','','usd',0,'2025-01-01','2999-01-01',false,false,0,'2025-01-01','2025-01-01'),
                  ('bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb','long-ended','E','','usd',0,'2025-01-01','2025-02-01',false,false,0,'2025-01-01','2025-01-01');
                INSERT INTO "CampaignCharities" VALUES ('aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa','11111111-1111-1111-1111-111111111111',0),
                  ('bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb','11111111-1111-1111-1111-111111111111',0),
                  ('bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb','22222222-2222-2222-2222-222222222222',0);
                """);
        }

        await using var db = Db(database);
        await Migrator.MigrateAsync(db);
        var running = Guid.Parse("aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa");
        var consent = (await db.CharityConsents.Include(k => k.Campaigns).ToListAsync()).ShouldHaveSingleItem();
        (consent.CharityId, consent.Document, consent.AllCampaigns).ShouldBe((Guid.Parse("11111111-1111-1111-1111-111111111111"), null, false));
        consent.Campaigns.Select(c => c.CampaignId).ShouldBe([running]);
        (await CharityPromo.Api.Consents.Consents.CoveredAsync(db, [running], DateTime.UtcNow, default)).Count.ShouldBe(1);
        var audit = (await db.AuditEntries.ToListAsync()).ShouldHaveSingleItem();
        (audit.Kind, audit.Subject, audit.Actor).ShouldBe(("consent.grandfathered", "charity:running", "migration 0013"));
        CharityPromo.Api.Audit.AuditChanges.FromJson(audit.Changes)["campaigns"].After.ShouldBe("now-running");
    }

    /// <summary>Columns (type, length, nullability), indexes and foreign keys, as the catalog tells them.</summary>
    private static async Task<List<string>> DescribeAsync(AppDb db)
    {
        var lines = await db.Database.SqlQueryRaw<string>("""
            SELECT table_name || '.' || column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', '') || ' null=' || is_nullable AS "Value"
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '__schema_migrations'
            UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '__schema_migrations'
            UNION ALL SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f'
            """).ToListAsync();
        return lines.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Two API processes on one new database, started at once (both migrate: one waits for the other), with an admin and a checkout key.</summary>
    private async Task<(ApiProcess A, ApiProcess B, string Admin, string Checkout)> TwoInstancesAsync()
    {
        var database = NewDatabase();
        var a = new ApiProcess(database, "Postgres");
        var b = new ApiProcess(database, "Postgres");
        _processes.AddRange([a, b]);
        var admin = await a.CreateKeyAsync("admin");
        var checkout = await a.CreateKeyAsync("checkout");
        await Task.WhenAll(a.StartAsync(), b.StartAsync());
        return (a, b, admin, checkout);
    }

    [Fact]
    public async Task TwoInstancesOnOneDatabaseRecordEachPurchaseOnceWhicheverGetsTheRetries()
    {
        var (a, b, admin, checkout) = await TwoInstancesAsync();
        await Seed.ContractCampaignAsync(a.Client(admin));
        var instances = new[] { a.Client(checkout), b.Client(checkout) };

        // Each purchase goes to both instances at once, and once more to either: the same Idempotency-Key every time.
        var answers = new ConcurrentBag<(string Order, HttpStatusCode Status, string? Id)>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 150), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var order = $"SCALE-{i}";
            var body = Seed.Purchase(order, customerRef: $"customer-{i % 9}");
            var sends = new[] { instances[0], instances[1], instances[i % 2] }.Select(async http =>
            {
                var response = await http.PostJson("/api/purchases", body, $"key-{order}");
                answers.Add((order, response.StatusCode, response.StatusCode == HttpStatusCode.Created ? (await response.Json()).Str("id") : await response.Content.ReadAsStringAsync()));
            });
            await Task.WhenAll(sends);
        });

        answers.Where(x => x.Status != HttpStatusCode.Created).ShouldBeEmpty(string.Join('\n', a.Output.Concat(b.Output).Take(80)));
        foreach (var order in answers.GroupBy(x => x.Order)) order.Select(x => x.Id).Distinct().Count().ShouldBe(1, order.Key);

        foreach (var http in new[] { a.Client(), b.Client() })
        {
            var totals = await (await http.GetAsync("/api/campaigns/literacy-2026")).Expect(HttpStatusCode.OK);
            totals.Long("totals.purchases").ShouldBe(150);
        }
        var invariants = await (await b.Client(admin).GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
        invariants["ok"]!.GetValue<bool>().ShouldBeTrue(invariants.ToJsonString());
        invariants.Long("purchasesChecked").ShouldBe(150);
    }

    [Fact]
    public async Task TwoInstancesSellingAtOnceNeverSpendMoreThanTheCampaignCap()
    {
        var (a, b, admin, checkout) = await TwoInstancesAsync();
        await a.Client(admin).ConsentingCharityAsync();
        await (await a.Client(admin).PostJson("/api/campaigns", Seed.Campaign(slug: "capped",
            pledge: new { percentBps = 500, capPerPurchase = 500, campaignCap = 2_000 }))).Expect(HttpStatusCode.Created);
        var instances = new[] { a.Client(checkout), b.Client(checkout) };

        var pledges = new ConcurrentBag<long>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 60), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var response = await instances[i % 2].PostJson("/api/purchases", Seed.Purchase($"CAP-{i}", campaign: "capped", customerRef: null), $"cap-{i}");
            pledges.Add((await response.Expect(HttpStatusCode.Created)).Long("donation.merchantPledge"));
        });

        pledges.Sum().ShouldBe(2_000); // 60 × 250 asked, from two instances at once: exactly the cap given
        foreach (var http in new[] { a.Client(), b.Client() })
            (await (await http.GetAsync("/api/campaigns/capped")).Expect(HttpStatusCode.OK)).Long("totals.merchantCapLeft").ShouldBe(0);
        var invariants = await (await b.Client(admin).GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
        invariants["ok"]!.GetValue<bool>().ShouldBeTrue(invariants.ToJsonString());
    }

    [Fact]
    public async Task TwoInstancesRemittingAtOnceClaimEachPledgeOnce()
    {
        var database = NewDatabase();
        var a = new ApiProcess(database, "Postgres") { Environment = { ["Remittances__MaxLines"] = "7" } };
        var b = new ApiProcess(database, "Postgres") { Environment = { ["Remittances__MaxLines"] = "7" } };
        _processes.AddRange([a, b]);
        var admin = await a.CreateKeyAsync("admin");
        var finance = await a.CreateKeyAsync("finance");
        var checkout = a.Client(await a.CreateKeyAsync("checkout"));
        await Task.WhenAll(a.StartAsync(), b.StartAsync());
        await Seed.ContractCampaignAsync(a.Client(admin));
        for (var i = 0; i < 60; i++)
            await (await checkout.PostJson("/api/purchases", Seed.Purchase($"REMIT-{i}", customerRef: null), $"remit-{i}")).Expect(HttpStatusCode.Created);
        var raised = (await (await a.Client().GetAsync("/api/campaigns/literacy-2026")).Expect(HttpStatusCode.OK)).Long("totals.raised");

        // Sixteen batches at once across both instances, then whatever is left one at a time: every pledge in exactly one.
        var instances = new[] { a.Client(finance), b.Client(finance) };
        var batch = new { charity = "read-together", currency = "usd", cutoffUtc = DateTimeOffset.UtcNow };
        var racing = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => instances[i % 2].PostJson("/api/remittances", batch, $"remit-batch-{i}")));
        racing.Select(r => r.StatusCode).ShouldAllBe(s => s == HttpStatusCode.Created || s == HttpStatusCode.UnprocessableEntity);
        var created = new List<JsonNode>();
        foreach (var response in racing.Where(r => r.StatusCode == HttpStatusCode.Created)) created.Add(await response.Json());
        for (var i = 0; ; i++)
        {
            var response = await instances[i % 2].PostJson("/api/remittances", batch, $"remit-rest-{i}");
            if (response.StatusCode == HttpStatusCode.UnprocessableEntity) break;
            created.Add(await response.Expect(HttpStatusCode.Created));
        }
        created.ShouldAllBe(c => c.Long("lines") <= 7);
        created.Sum(c => c.Long("lines")).ShouldBe(60);
        created.Sum(c => c.Long("amount")).ShouldBe(raised);

        // One batch paid through both instances at once: one pays it, the other is told it already was.
        var paying = await Task.WhenAll(instances.Select((http, i) =>
            http.PostJson($"/api/remittances/{created[0].Str("id")}/paid", new { reference = $"BACS-{i}" }, $"pay-{i}")));
        paying.Select(r => r.StatusCode).Order().ShouldBe([HttpStatusCode.OK, HttpStatusCode.Conflict]);
        // Another paid through one instance while the other deletes it: one of the two happens, whole.
        var other = created[1].Str("id");
        var payOrDelete = await Task.WhenAll(
            instances[0].PostJson($"/api/remittances/{other}/paid", new { reference = "BACS-RACE" }, "pay-race"), instances[1].DeleteAsync($"/api/remittances/{other}"));
        payOrDelete.Count(r => r.IsSuccessStatusCode).ShouldBe(1);
        payOrDelete.Where(r => !r.IsSuccessStatusCode).ShouldAllBe(r => r.StatusCode == HttpStatusCode.Conflict || r.StatusCode == HttpStatusCode.NotFound);
        var invariants = await (await b.Client(admin).GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
        invariants["ok"]!.GetValue<bool>().ShouldBeTrue(invariants.ToJsonString());
    }

    public void Dispose()
    {
        foreach (var process in _processes) process.Dispose();
        foreach (var name in _databases) Postgres.DropDatabase(_server, name);
    }
}
