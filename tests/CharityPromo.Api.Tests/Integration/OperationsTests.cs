using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CharityPromo.Api.Tests.Integration;

public class OperationsTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task HealthEndpointsAnswerWithoutAKey()
    {
        (await app.Client().GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var ready = await app.Client().GetAsync("/health/ready");
        ready.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ready.Content.ReadAsStringAsync()).ShouldBe("Healthy");
    }

    [Fact]
    public async Task TheInvariantCheckReadsOneSnapshotSoWritesCommittingMeanwhileNeverLookLikeMismatches()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, slug: "snapshot");
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
                await (await checkout.PostJson("/api/purchases", Seed.Purchase($"SNAP-{w}-{i}", campaign: "snapshot", customerRef: null), $"snap-{w}-{i}"))
                    .Expect(HttpStatusCode.Created);
        })).ToList();

        var checks = 0;
        for (var started = Stopwatch.StartNew(); started.Elapsed < TimeSpan.FromSeconds(3) || checks < 10; checks++)
        {
            var report = await (await admin.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
            report["ok"]!.GetValue<bool>().ShouldBeTrue(report.ToJsonString());
        }
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        checks.ShouldBeGreaterThanOrEqualTo(10);
    }

    [Fact]
    public async Task TheWriterReportsItsBatchesAndBusyTimeToAdminsAndOnItsMeter()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin", "writer-stats-admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout", "writer-stats-till"));
        await Seed.ContractCampaignAsync(admin, slug: "writer-stats");
        (await checkout.GetAsync("/api/admin/writer")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        // A key's first use records when it was last used, a write of its own on the writer: let both land before counting.
        for (var waited = 0; await app.WithDbAsync(db => db.ApiKeys.CountAsync(k => k.Name.StartsWith("writer-stats-") && k.LastUsedUtc == null)) > 0 && waited < 100; waited++)
            await Task.Delay(50);

        var before = await (await admin.GetAsync("/api/admin/writer")).Expect(HttpStatusCode.OK);
        await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
            await (await checkout.PostJson("/api/purchases", Seed.Purchase($"WS-{i}", campaign: "writer-stats"), $"ws-{i}")).Expect(HttpStatusCode.Created)));
        var after = await (await admin.GetAsync("/api/admin/writer")).Expect(HttpStatusCode.OK);

        (after.Long("writes") - before.Long("writes")).ShouldBe(6);
        (after.Long("batches") - before.Long("batches")).ShouldBeInRange(1, 6);
        double Grew(string field) => after[field]!.GetValue<double>() - before[field]!.GetValue<double>();
        Grew("busySeconds").ShouldBeGreaterThan(0);
        Grew("commitSeconds").ShouldBeGreaterThan(0);
        Grew("commitSeconds").ShouldBeLessThanOrEqualTo(Grew("busySeconds"));
        Grew("busySeconds").ShouldBeLessThanOrEqualTo(Grew("uptimeSeconds"));

        // The same counts on the meter, from this app's instance of it (other test classes run apps of their own).
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        var published = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "CharityPromo.Api" && instrument.Meter.Scope == meters) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => published[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        var report = await (await admin.GetAsync("/api/admin/writer")).Expect(HttpStatusCode.OK);
        published["charitypromo.writer.writes"].ShouldBe(report.Long("writes"));
        published["charitypromo.writer.batches"].ShouldBe(report.Long("batches"));
    }

    [Fact]
    public async Task SwaggerDocumentsEveryEndpointWithSummariesTheBearerSchemeAndIdempotencyKeys()
    {
        var doc = await (await app.Client().GetAsync("/swagger/v1/swagger.json")).Expect(HttpStatusCode.OK);
        doc["components"]!["securitySchemes"]!["Bearer"]!.Str("scheme").ShouldBe("bearer");
        var paths = doc["paths"]!.AsObject();
        foreach (var path in new[] { "/api/campaigns", "/api/campaigns/{slug}", "/api/charities", "/api/charities/{slug}", "/api/pledges/quote",
                     "/api/purchases", "/api/purchases/{id}", "/api/receipts/{code}", "/api/admin/invariants", "/api/stripe/webhook" })
            paths.ContainsKey(path).ShouldBeTrue(path);

        foreach (var (path, item) in paths)
        foreach (var (method, operation) in item!.AsObject())
        {
            operation!["summary"].ShouldNotBeNull($"{method} {path} has no summary");
            operation["operationId"].ShouldNotBeNull($"{method} {path} has no name");
        }

        var createPurchase = paths["/api/purchases"]!["post"]!;
        var header = createPurchase["parameters"]!.AsArray().Single(p => p!.Str("name") == "Idempotency-Key")!;
        header["required"]!.GetValue<bool>().ShouldBeTrue();
        var responses = createPurchase["responses"]!.AsObject().Select(r => r.Key).ToList();
        foreach (var code in new[] { "201", "400", "401", "402", "403", "409", "422", "429", "503" }) responses.ShouldContain(code);
        createPurchase["security"].ShouldNotBeNull();
        paths["/api/campaigns/{slug}"]!["get"]!["security"]!.AsArray().Single()!.AsObject().ShouldBeEmpty(); // anonymous, and says so

        var example = doc["components"]!["schemas"]!["PurchaseRequest"]!["example"]!; // OpenAPI 3.0: one example per schema
        example.Str("orderId").ShouldBe("ORD-1001");
        (await app.Client().GetAsync("/swagger/index.html")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TheKeysCommandPrintsTheKeyAloneOnTheLastLineAndTheKeyWorks()
    {
        _ = app.Address;
        var api = Path.Combine(AppContext.BaseDirectory, "CharityPromo.Api.dll");
        var (exit, stdout, stderr) = await RunAsync(api, "keys", "create", "--name", "cli-made", "--scopes", "admin,finance");
        exit.ShouldBe(0, stderr);
        var key = stdout.TrimEnd().Split('\n').Last();
        key.ShouldMatch("^cp_[A-Za-z0-9]{46}$");
        await (await app.Client(key).GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);

        var (listExit, listing, _) = await RunAsync(api, "keys", "list");
        listExit.ShouldBe(0);
        listing.ShouldContain("cli-made");
        listing.ShouldContain("admin,finance");
        listing.ShouldNotContain(key);
        (await app.DatabaseBytesAsync()).AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(key)).ShouldBe(-1);

        (await RunAsync(api, "keys", "create", "--name", "cli-made", "--scopes", "admin")).Exit.ShouldBe(1);
        (await RunAsync(api, "keys", "create", "--name", "bad-scope", "--scopes", "root")).Exit.ShouldBe(2);
        (await RunAsync(api, "keys", "revoke", "--name", "cli-made")).Exit.ShouldBe(0);
        await (await app.Client(key).GetAsync("/api/admin/invariants")).ExpectProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    [Trait("Provider", "Sqlite")] // seed-bulk writes SQLite directly
    public async Task BulkSeededPurchasesKeepTheLedgerTotalsAndReportsConsistent()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var finance = app.Client(await app.CreateKeyAsync("finance"));
        await (await admin.PostJson("/api/charities", Seed.Charity("bulk-a", "Bulk A"))).Expect(HttpStatusCode.Created);
        await (await admin.PostJson("/api/charities", Seed.Charity("bulk-b", "Bulk B"))).Expect(HttpStatusCode.Created);
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "bulk", charities: ["bulk-a", "bulk-b"]))).Expect(HttpStatusCode.Created);

        var exit = await app.WithDbAsync(db => CharityPromo.Api.Data.BulkSeeder.RunAsync(db, ["--campaign", "bulk", "--purchases", "3000"],
            TextWriter.Null, TextWriter.Null, app.Clock.GetUtcNow().UtcDateTime));
        exit.ShouldBe(0);

        var invariants = await (await admin.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
        invariants["ok"]!.GetValue<bool>().ShouldBeTrue(invariants.ToJsonString());
        var campaign = await (await app.Client().GetAsync("/api/campaigns/bulk")).Expect(HttpStatusCode.OK);
        campaign.Long("totals.purchases").ShouldBe(3000);
        campaign["totals"]!["daily"]!.AsArray().Sum(d => d!.Long("purchases")).ShouldBe(3000);

        var exported = new List<JsonNode>();
        string? after = null;
        do
        {
            var page = await (await finance.GetAsync($"/api/reports/pledges?format=json&campaign=bulk&limit=5000{(after is null ? "" : $"&after={after}")}")).Expect(HttpStatusCode.OK);
            exported.AddRange(page["items"]!.AsArray().Select(n => n!));
            after = page["next"]?.GetValue<string>();
        } while (after is not null);
        exported.Count.ShouldBe(3000);
        exported.Sum(r => r.Long("net")).ShouldBe(campaign.Long("totals.raised"));
        exported.ShouldAllBe(r => r.Long("total") == Math.Min(500, (r.Long("amount") * 500 + 5000) / 10000) + r.Long("roundUp"));
    }

    [Fact]
    [Trait("Provider", "Sqlite")] // seed-bulk writes SQLite directly
    public async Task BulkSeedingOverDaysGivesTheDemoAShopsWeekWithinTheCampaignsDates()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        await (await admin.PostJson("/api/charities", Seed.Charity("rhythm-a", "Rhythm A"))).Expect(HttpStatusCode.Created);
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "rhythm", charities: ["rhythm-a"]))).Expect(HttpStatusCode.Created);
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "rhythm-ended", charities: ["rhythm-a"], ends: "2026-03-01T00:00:00Z"))).Expect(HttpStatusCode.Created);
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "rhythm-later", charities: ["rhythm-a"], starts: "2026-09-01T00:00:00Z"))).Expect(HttpStatusCode.Created);
        var now = app.Clock.GetUtcNow().UtcDateTime; // Monday 2026-06-01 12:00
        Task<int> SeedAsync(params string[] args) => app.WithDbAsync(db => CharityPromo.Api.Data.BulkSeeder.RunAsync(db, args, TextWriter.Null, TextWriter.Null, now));

        (await SeedAsync("--campaign", "rhythm", "--purchases", "4200", "--days", "42")).ShouldBe(0);
        (await SeedAsync("--campaign", "rhythm-ended", "--purchases", "300", "--days", "42")).ShouldBe(0);
        (await SeedAsync("--campaign", "rhythm-later", "--purchases", "10", "--days", "42")).ShouldBe(1);
        (await SeedAsync("--campaign", "rhythm", "--purchases", "10", "--days", "0")).ShouldBe(2);

        var daily = (await (await app.Client().GetAsync("/api/campaigns/rhythm")).Expect(HttpStatusCode.OK))["totals"]!["daily"]!.AsArray()
            .Select(d => (Date: DateOnly.Parse(d!["date"]!.GetValue<string>()), Purchases: d.Long("purchases"))).ToList();
        daily.Sum(d => d.Purchases).ShouldBe(4200);
        daily.Select(d => d.Date).ShouldBe(Enumerable.Range(0, 42).Select(i => new DateOnly(2026, 4, 21).AddDays(i)));
        long On(DayOfWeek day) => daily.Where(d => d.Date.DayOfWeek == day).Sum(d => d.Purchases);
        On(DayOfWeek.Saturday).ShouldBeGreaterThan(2 * On(DayOfWeek.Monday));
        daily.Where(d => d.Date.DayOfWeek == DayOfWeek.Saturday).Select(d => d.Purchases).ShouldBeInOrder(); // word spreads

        var ended = (await (await app.Client().GetAsync("/api/campaigns/rhythm-ended")).Expect(HttpStatusCode.OK))["totals"]!["daily"]!.AsArray()
            .Select(d => DateOnly.Parse(d!["date"]!.GetValue<string>())).ToList();
        ended.First().ShouldBe(new DateOnly(2026, 1, 18));
        ended.Last().ShouldBe(new DateOnly(2026, 2, 28));
        var latest = await app.WithDbAsync(db => db.Purchases.Where(p => p.OrderId.StartsWith("BULK-")).MaxAsync(p => p.CreatedUtc));
        latest.ShouldBeLessThan(now);
        var invariants = await (await admin.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
        invariants["ok"]!.GetValue<bool>().ShouldBeTrue(invariants.ToJsonString());
    }

    private async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string dll, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["ConnectionStrings__Default"] = app.ConnectionString;
        start.Environment["Database__Provider"] = app.Provider;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout, await stderr);
    }
}
