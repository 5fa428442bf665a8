using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using CharityPromo.Testing;
using CsvHelper;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Tests.Integration;

public class RemittanceTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private Task<(HttpClient Finance, HttpClient Checkout, HttpClient Admin, List<JsonNode> Purchases)> SetUpAsync(string charity) => SetUpAsync(app, charity);

    /// <summary>A charity of its own with three purchases on day 0 and one on day 10; returns the purchases.</summary>
    internal static async Task<(HttpClient Finance, HttpClient Checkout, HttpClient Admin, List<JsonNode> Purchases)> SetUpAsync(ApiFactory app, string charity)
    {
        app.Clock.Set(Start);
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        var finance = app.Client(await app.CreateKeyAsync("finance"));
        await (await admin.PostJson("/api/charities", Seed.Charity(charity, charity))).Expect(HttpStatusCode.Created);
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: $"{charity}-campaign", charities: [charity]))).Expect(HttpStatusCode.Created);
        var purchases = new List<JsonNode>();
        for (var i = 0; i < 4; i++)
        {
            if (i == 3) app.Clock.Set(Start.AddDays(10));
            purchases.Add(await (await checkout.PostJson("/api/purchases", Seed.Purchase($"{charity}-{i}", 2000 + i * 1000, campaign: $"{charity}-campaign", charity: charity, customerRef: null), $"{charity}-{i}"))
                .Expect(HttpStatusCode.Created));
        }
        app.Clock.Set(Start.AddDays(20));
        return (finance, checkout, admin, purchases);
    }

    internal static object Batch(string charity, int cutoffDay) => new { charity, currency = "usd", cutoffUtc = Start.AddDays(cutoffDay) };

    [Fact]
    public async Task ABatchGathersWhatIsOutstandingUpToTheCutoffOnce()
    {
        var (finance, _, admin, purchases) = await SetUpAsync("gather");
        var firstThree = purchases.Take(3).Sum(p => p.Long("donation.total"));

        var created = await finance.PostJson("/api/remittances", Batch("gather", 5));
        var batch = await created.Expect(HttpStatusCode.Created);
        created.Headers.Location!.ToString().ShouldBe($"/api/remittances/{batch.Str("id")}");
        (await (await finance.GetAsync(created.Headers.Location)).Expect(HttpStatusCode.OK)).Str("id").ShouldBe(batch.Str("id"));
        batch.Long("amount").ShouldBe(firstThree);
        batch.Long("lines").ShouldBe(3);
        batch.Str("status").ShouldBe("draft");
        (await (await finance.PostJson("/api/remittances", Batch("gather", 5))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "cutoffUtc"))
            .Str("detail").ShouldBe("Nothing is outstanding for 'gather' in 'usd' confirmed before the cutoff and 0 days ago (Remittances:HoldDays).");

        var later = await (await finance.PostJson("/api/remittances", Batch("gather", 15))).Expect(HttpStatusCode.Created);
        later.Long("amount").ShouldBe(purchases[3].Long("donation.total"));
        (await (await finance.PostJson("/api/remittances", Batch("gather", 30))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "cutoffUtc"))
            .Str("detail").ShouldBe("The cutoff cannot be in the future.");
        (await (await finance.PostJson("/api/remittances", new { charity = "nobody", currency = "usd", cutoffUtc = Start })).ExpectProblem(HttpStatusCode.UnprocessableEntity, "charity"))
            .Str("detail").ShouldBe("No charity 'nobody'.");
        await (await finance.PostJson("/api/remittances", new { charity = "gather", currency = "usdollar", cutoffUtc = Start })).ExpectProblem(HttpStatusCode.BadRequest, "currency");
        (await (await admin.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK))["ok"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task ABatchTakesOnlyThisCharitysPledgesInItsCurrencyConfirmedBeforeTheCutoffAndStillOwed()
    {
        await SetUpAsync("not-mine"); // another charity's pledges, in the same currency and days
        var (finance, checkout, admin, purchases) = await SetUpAsync("mine");
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "mine-eur", currency: "eur", charities: ["mine"]))).Expect(HttpStatusCode.Created);
        app.Clock.Set(Start);
        var euro = await (await checkout.PostJson("/api/purchases", Seed.Purchase("mine-eur-0", 3000, campaign: "mine-eur", charity: "mine", currency: "eur", customerRef: null), "mine-eur-0"))
            .Expect(HttpStatusCode.Created);
        app.Clock.Set(Start.AddDays(20));
        // Fully refunded before any batch: nothing of it is owed, so it is no line at all.
        await (await checkout.PostJson($"/api/purchases/{purchases[1].Str("id")}/refunds", new { }, "mine-refund")).Expect(HttpStatusCode.Created);

        // Confirmed at the cutoff is not before it.
        (await (await finance.PostJson("/api/remittances", Batch("mine", 0))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "cutoffUtc"))
            .Str("detail").ShouldBe("Nothing is outstanding for 'mine' in 'usd' confirmed before the cutoff and 0 days ago (Remittances:HoldDays).");

        var dollars = await (await finance.PostJson("/api/remittances", Batch("mine", 15))).Expect(HttpStatusCode.Created);
        List<JsonNode> owed = [purchases[0], purchases[2], purchases[3]];
        (dollars.Long("lines"), dollars.Long("amount")).ShouldBe((3L, owed.Sum(p => p.Long("donation.total"))));
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var euros = await (await finance.PostJson("/api/remittances", new { charity = "mine", currency = "eur", cutoffUtc = Start.AddDays(15) })).Expect(HttpStatusCode.Created);
        (euros.Long("lines"), euros.Long("amount")).ShouldBe((1L, euro.Long("donation.total")));

        // The statement lists the pledges in the order they were made, each with when it was confirmed.
        var statement = await (await finance.GetAsync($"/api/remittances/{dollars.Str("id")}/statement")).Expect(HttpStatusCode.OK);
        statement["lines"]!.AsArray().Select(l => (l!.Str("receiptCode"), l!.Str("confirmedUtc"))).ShouldBe([
            (owed[0].Str("receiptCode"), "2026-06-01T12:00:00.000Z"), (owed[1].Str("receiptCode"), "2026-06-01T12:00:00.000Z"),
            (owed[2].Str("receiptCode"), "2026-06-11T12:00:00.000Z"),
        ]);
        (await (await finance.GetAsync($"/api/remittances/{dollars.Str("id")}/statement?format=json")).Expect(HttpStatusCode.OK))["lines"]!.AsArray().Count.ShouldBe(3);
        var csv = await finance.GetAsync($"/api/remittances/{dollars.Str("id")}/statement?format=csv");
        csv.Content.Headers.ContentType!.ToString().ShouldBe("text/csv; charset=utf-8");

        var list = (await (await finance.GetAsync("/api/remittances?charity=mine")).Expect(HttpStatusCode.OK)).AsArray();
        list.Select(b => b!.Str("id")).ShouldBe([euros.Str("id"), dollars.Str("id")]); // newest first
        (await (await admin.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK))["ok"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task EachRefusalAboutABatchSaysWhatIsWrong()
    {
        var (finance, _, _, _) = await SetUpAsync("refusals");
        var unknown = Guid.NewGuid();
        foreach (var response in new[]
                 {
                     await finance.GetAsync($"/api/remittances/{unknown}"), await finance.GetAsync($"/api/remittances/{unknown}/statement"),
                     await finance.PostJson($"/api/remittances/{unknown}/paid", new { reference = "BACS-X" }), await finance.DeleteAsync($"/api/remittances/{unknown}"),
                 })
            (await response.ExpectProblem(HttpStatusCode.NotFound)).Str("detail").ShouldBe($"No remittance '{unknown}'.");

        var batch = await (await finance.PostJson("/api/remittances", Batch("refusals", 15))).Expect(HttpStatusCode.Created);
        (await (await finance.GetAsync($"/api/remittances/{batch.Str("id")}/statement?format=xml")).ExpectProblem(HttpStatusCode.BadRequest, "format"))
            ["errors"]!["format"]![0]!.GetValue<string>().ShouldBe("'format' must be 'csv' or 'json'.");
        await (await finance.PostJson($"/api/remittances/{batch.Str("id")}/paid", new { reference = "BACS-R" })).Expect(HttpStatusCode.OK);
        (await (await finance.PostJson($"/api/remittances/{batch.Str("id")}/paid", new { reference = "BACS-R2" })).ExpectProblem(HttpStatusCode.Conflict, "status"))
            .Str("detail").ShouldBe("This batch was already paid.");
        (await (await finance.DeleteAsync($"/api/remittances/{batch.Str("id")}")).ExpectProblem(HttpStatusCode.Conflict, "status"))
            .Str("detail").ShouldBe("A paid batch cannot be deleted; later reversals carry forward into the next batch.");
    }

    [Fact]
    public async Task TheReconciliationReportFindsNoMismatchInAPaidBatchADraftOrADeletedDraft()
    {
        var (finance, _, _, purchases) = await SetUpAsync("reconciled");
        var paid = await (await finance.PostJson("/api/remittances", Batch("reconciled", 5))).Expect(HttpStatusCode.Created);
        await (await finance.PostJson($"/api/remittances/{paid.Str("id")}/paid", new { reference = "BACS-9" })).Expect(HttpStatusCode.OK);
        var deleted = await (await finance.PostJson("/api/remittances", Batch("reconciled", 15))).Expect(HttpStatusCode.Created);
        await (await finance.DeleteAsync($"/api/remittances/{deleted.Str("id")}")).Expect(HttpStatusCode.NoContent);
        var draft = await (await finance.PostJson("/api/remittances", Batch("reconciled", 15))).Expect(HttpStatusCode.Created);
        draft.Long("lines").ShouldBe(1);

        var from = Uri.EscapeDataString(Start.AddDays(-1).ToString("O"));
        var to = Uri.EscapeDataString(Start.AddDays(20).ToString("O"));
        var report = await (await finance.GetAsync($"/api/reports/reconciliation?from={from}&to={to}")).Expect(HttpStatusCode.OK);
        var ours = purchases.Select(p => p.Str("id")).ToHashSet();
        report["mismatches"]!.AsArray().Where(m => ours.Contains(m!.Str("purchaseId"))).Select(m => m!.Str("cause")).ShouldBeEmpty();
        report["transferMismatches"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task AReversalAfterPaymentCarriesForwardAsANegativeLineAndPaidBatchesStayAsTheyWere()
    {
        var (finance, checkout, admin, purchases) = await SetUpAsync("carry");
        var batch = await (await finance.PostJson("/api/remittances", Batch("carry", 15))).Expect(HttpStatusCode.Created);
        var id = batch.Str("id");
        var paid = await (await finance.PostJson($"/api/remittances/{id}/paid", new { reference = "BACS-0001" })).Expect(HttpStatusCode.OK);
        paid.Str("status").ShouldBe("paid");
        paid.Str("reference").ShouldBe("BACS-0001");
        // In the ledger: one entry a line, each saying which batch paid it and the bank's reference.
        var entries = await app.WithDbAsync(db => db.Ledger.Where(l => l.Kind == CharityPromo.Api.Ledger.LedgerKind.Remitted && l.Cause == $"remittance:{id}")
            .Select(l => new { l.Amount, l.Reference }).ToListAsync());
        ((long)entries.Count, entries.Sum(e => e.Amount)).ShouldBe((batch.Long("lines"), batch.Long("amount")));
        entries.ShouldAllBe(e => e.Reference == "BACS-0001");
        await (await finance.PostJson($"/api/remittances/{id}/paid", new { reference = "again" })).ExpectProblem(HttpStatusCode.Conflict, "status");
        await (await finance.DeleteAsync($"/api/remittances/{id}")).ExpectProblem(HttpStatusCode.Conflict, "status");

        var liability = await (await finance.GetAsync("/api/reports/liability")).Expect(HttpStatusCode.OK);
        liability["charities"]!.AsArray().ShouldNotContain(l => l!.Str("charity") == "carry");

        var refund = await (await checkout.PostJson($"/api/purchases/{purchases[0].Str("id")}/refunds", new { }, "carry-refund")).Expect(HttpStatusCode.Created);
        var reversed = refund.Long("reversed.total");
        reversed.ShouldBeGreaterThan(0);

        var next = await (await finance.PostJson("/api/remittances", Batch("carry", 20))).Expect(HttpStatusCode.Created);
        next.Long("amount").ShouldBe(-reversed);
        next.Long("lines").ShouldBe(1);
        (await (await finance.GetAsync($"/api/remittances/{id}")).Expect(HttpStatusCode.OK)).Long("amount").ShouldBe(batch.Long("amount"));

        var statement = await (await finance.GetAsync($"/api/remittances/{next.Str("id")}/statement")).Expect(HttpStatusCode.OK);
        statement["lines"]!.AsArray().Single()!.Long("amount").ShouldBe(-reversed);
        statement["lines"]!.AsArray().Single()!.Str("receiptCode").ShouldBe(purchases[0].Str("receiptCode"));

        var summary = await (await finance.GetAsync("/api/reports/summary")).Expect(HttpStatusCode.OK);
        var line = summary["byCharityMonth"]!.AsArray().Single(l => l!.Str("charity") == "carry")!;
        line.Long("remitted").ShouldBe(batch.Long("amount"));
        line.Long("reversed").ShouldBe(reversed);
        line.Long("outstanding").ShouldBe(-reversed); // owed back until the negative line's batch is paid
        line.Long("remitted").ShouldBe(line.Long("net") - line.Long("outstanding"));
        (await (await admin.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK))["ok"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task DeletingADraftMakesItsPledgesOutstandingAgain()
    {
        var (finance, _, admin, purchases) = await SetUpAsync("undo");
        var draft = await (await finance.PostJson("/api/remittances", Batch("undo", 15))).Expect(HttpStatusCode.Created);
        (await finance.DeleteAsync($"/api/remittances/{draft.Str("id")}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        // The audit trail keeps what was created, and what was deleted: a draft of this amount and these lines.
        var created = (await AuditTrailTests.TrailAsync(admin, "&kind=remittance.created")).Single(e => e.Str("subject") == $"remittance:{draft.Str("id")}");
        new[] { "charity", "currency", "amount", "lines", "status" }.Select(field => AuditTrailTests.Change(created, field).Str("after"))
            .ShouldBe(["undo", "usd", draft.Long("amount").ToString(CultureInfo.InvariantCulture), "4", "draft"]);
        var deleted = (await AuditTrailTests.TrailAsync(admin, "&kind=remittance.deleted")).Single(e => e.Str("subject") == $"remittance:{draft.Str("id")}");
        (AuditTrailTests.Change(deleted, "status").Str("before"), AuditTrailTests.Change(deleted, "amount").Str("before"), AuditTrailTests.Change(deleted, "lines").Str("before"))
            .ShouldBe(("draft", draft.Long("amount").ToString(CultureInfo.InvariantCulture), "4"));
        // A 204 has no body to write: writing even an empty one made Kestrel throw and drop the connection after the answer.
        app.Logs.ShouldNotContain(line => line.Contains("invalid for responses with status code 204"));
        await (await finance.GetAsync($"/api/remittances/{draft.Str("id")}")).ExpectProblem(HttpStatusCode.NotFound);
        var again = await (await finance.PostJson("/api/remittances", Batch("undo", 15))).Expect(HttpStatusCode.Created);
        again.Long("amount").ShouldBe(purchases.Sum(p => p.Long("donation.total")));
    }

    [Fact]
    public async Task ConcurrentBatchesNeverClaimAPledgeTwice()
    {
        var (finance, _, _, purchases) = await SetUpAsync("race");
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => finance.PostJson("/api/remittances", Batch("race", 15))));
        responses.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(1);
        responses.Count(r => r.StatusCode == HttpStatusCode.UnprocessableEntity).ShouldBe(7);
        var list = (await (await finance.GetAsync("/api/remittances?charity=race")).Expect(HttpStatusCode.OK)).AsArray();
        list.Count.ShouldBe(1);
        list[0]!.Long("amount").ShouldBe(purchases.Sum(p => p.Long("donation.total")));
    }

    [Fact]
    [Trait("Provider", "Sqlite")] // seed-bulk writes SQLite directly
    public async Task ALargeBacklogIsRemittedInBatchesOfTheDefaultLimitThatCommit()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var finance = app.Client(await app.CreateKeyAsync("finance"));
        await (await admin.PostJson("/api/charities", Seed.Charity("backlog", "Backlog"))).Expect(HttpStatusCode.Created);
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "backlog-campaign", charities: ["backlog"]))).Expect(HttpStatusCode.Created);
        var seededAt = Start.AddDays(40);
        app.Clock.Set(seededAt);
        (await app.WithDbAsync(db => CharityPromo.Api.Data.BulkSeeder.RunAsync(db, ["--campaign", "backlog-campaign", "--purchases", "6000"],
            TextWriter.Null, TextWriter.Null, seededAt.UtcDateTime))).ShouldBe(0);
        app.Clock.Set(seededAt.AddDays(1));
        var batch = new { charity = "backlog", currency = "usd", cutoffUtc = seededAt.AddHours(1) };

        // Each batch changes thousands of pages in one savepoint: the write that once failed as "database or disk is full".
        var first = await (await finance.PostJson("/api/remittances", batch)).Expect(HttpStatusCode.Created);
        first.Long("lines").ShouldBe(5_000);
        first["moreOutstanding"]!.GetValue<bool>().ShouldBeTrue();
        var rest = await (await finance.PostJson("/api/remittances", batch)).Expect(HttpStatusCode.Created);
        rest.Long("lines").ShouldBe(1_000);
        rest["moreOutstanding"]!.GetValue<bool>().ShouldBeFalse();
        var raised = (await (await app.Client().GetAsync("/api/campaigns/backlog-campaign")).Expect(HttpStatusCode.OK)).Long("totals.raised");
        (first.Long("amount") + rest.Long("amount")).ShouldBe(raised);

        await (await finance.PostJson($"/api/remittances/{first.Str("id")}/paid", new { reference = "BACS-BACKLOG" })).Expect(HttpStatusCode.OK);
        (await finance.DeleteAsync($"/api/remittances/{rest.Str("id")}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var again = await (await finance.PostJson("/api/remittances", batch)).Expect(HttpStatusCode.Created);
        again.Long("lines").ShouldBe(1_000);
        again.Long("amount").ShouldBe(rest.Long("amount"));
        (await (await admin.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK))["ok"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task TheStatementCsvListsEveryLineAndAddsUpToTheBatch()
    {
        var (finance, _, _, _) = await SetUpAsync("statement");
        var batch = await (await finance.PostJson("/api/remittances", Batch("statement", 15))).Expect(HttpStatusCode.Created);
        var response = await finance.GetAsync($"/api/remittances/{batch.Str("id")}/statement?format=csv");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentDisposition!.FileNameStar.ShouldStartWith("statement_statement_");
        var text = (await response.Content.ReadAsStringAsync()).TrimStart('\uFEFF');
        text.Split("\r\n")[0].ShouldBe("receiptCode,confirmedUtc,campaign,currency,amount,amountMajor,reopened,reopenedMajor");
        using var csv = new CsvReader(new StringReader(text), CultureInfo.InvariantCulture);
        var rows = csv.GetRecords<dynamic>().Cast<IDictionary<string, object>>().ToList();
        rows.Count.ShouldBe(4);
        rows.Sum(r => long.Parse((string)r["amount"], CultureInfo.InvariantCulture)).ShouldBe(batch.Long("amount"));
        rows.Sum(r => decimal.Parse((string)r["amountMajor"], CultureInfo.InvariantCulture)).ShouldBe(batch.Long("amount") / 100m);
    }
}

public class RemittanceLimitTests : IClassFixture<ApiFactory>
{
    private readonly ApiFactory _app;

    public RemittanceLimitTests(ApiFactory app)
    {
        app.Settings["Remittances:MaxLines"] = "3";
        _app = app;
    }

    [Fact]
    public async Task ABatchStopsAtTheLineLimitSaysMoreIsOutstandingAndTheNextOneGathersTheRest()
    {
        var (finance, _, admin, purchases) = await RemittanceTests.SetUpAsync(_app, "capped");
        var everything = purchases.Sum(p => p.Long("donation.total"));

        var first = await (await finance.PostJson("/api/remittances", RemittanceTests.Batch("capped", 15))).Expect(HttpStatusCode.Created);
        first.Long("lines").ShouldBe(3);
        first["moreOutstanding"]!.GetValue<bool>().ShouldBeTrue();
        var second = await (await finance.PostJson("/api/remittances", RemittanceTests.Batch("capped", 15))).Expect(HttpStatusCode.Created);
        second.Long("lines").ShouldBe(1);
        second["moreOutstanding"]!.GetValue<bool>().ShouldBeFalse();
        (first.Long("amount") + second.Long("amount")).ShouldBe(everything);
        await (await finance.PostJson("/api/remittances", RemittanceTests.Batch("capped", 15))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "cutoffUtc");

        // Exactly the limit outstanding: one full batch, and nothing more to say.
        var (_, _, _, exact) = await RemittanceTests.SetUpAsync(_app, "capped-exactly");
        var whole = await (await finance.PostJson("/api/remittances", RemittanceTests.Batch("capped-exactly", 5))).Expect(HttpStatusCode.Created);
        (whole.Long("lines"), whole["moreOutstanding"]!.GetValue<bool>()).ShouldBe((3L, false));
        whole.Long("amount").ShouldBe(exact.Take(3).Sum(p => p.Long("donation.total")));

        // The flag belongs to the answer that created the batch; reading the batch later does not carry it.
        var read = await (await finance.GetAsync($"/api/remittances/{first.Str("id")}")).Expect(HttpStatusCode.OK);
        read["moreOutstanding"].ShouldBeNull();
        var statement = await (await finance.GetAsync($"/api/remittances/{first.Str("id")}/statement")).Expect(HttpStatusCode.OK);
        statement["lines"]!.AsArray().Sum(l => l!.Long("amount")).ShouldBe(first.Long("amount"));
        await (await finance.PostJson($"/api/remittances/{first.Str("id")}/paid", new { reference = "BACS-CAP-1" })).Expect(HttpStatusCode.OK);
        (await (await admin.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK))["ok"]!.GetValue<bool>().ShouldBeTrue();
    }
}
