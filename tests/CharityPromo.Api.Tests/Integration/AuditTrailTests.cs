using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>Every admin and finance change is on record, with who, when and each field before and after; nothing changes the record. Both providers.</summary>
public class AuditTrailTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private async Task<HttpClient> AdminAsync() => app.Client(await app.CreateKeyAsync("admin"));

    /// <summary>Every entry of the trail matching the query, page by page.</summary>
    internal static async Task<List<JsonNode>> TrailAsync(HttpClient admin, string query = "", int limit = 500)
    {
        var entries = new List<JsonNode>();
        string? after = null;
        do
        {
            var page = await (await admin.GetAsync($"/api/admin/audit?limit={limit}{query}{(after is null ? "" : $"&after={after}")}")).Expect(HttpStatusCode.OK);
            entries.AddRange(page["items"]!.AsArray().Select(e => e!));
            after = page["next"]?.ToJsonString();
        } while (after is not null);
        return entries;
    }

    internal static JsonNode Change(JsonNode entry, string field) => entry["changes"]![field] ?? throw new ShouldAssertException($"no '{field}' in {entry.ToJsonString()}");

    /// <summary>Every change of an entry, in order, as "field: before → after".</summary>
    internal static string[] Changes(JsonNode entry) =>
        [.. entry["changes"]!.AsObject().Select(c => $"{c.Key}: {c.Value!["before"]?.GetValue<string>() ?? "null"} → {c.Value!["after"]?.GetValue<string>() ?? "null"}")];

    [Fact]
    public async Task EachAdminAndFinanceChangeIsRecordedWithWhoWhenAndTheFieldsBeforeAndAfter()
    {
        app.Clock.Set(Start);
        var admin = app.Client(await app.CreateKeyAsync("admin", "audit-admin"));
        var finance = app.Client(await app.CreateKeyAsync("finance", "audit-finance"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout", "audit-till"));
        await admin.ConsentingCharityAsync("audited", "Audited");
        await (await admin.PutJson("/api/charities/audited", new { slug = "audited", name = "Audited Trust", description = "Books for every child.", website = "https://read-together.example" }))
            .Expect(HttpStatusCode.OK);
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "audited-2026", charities: ["audited"]))).Expect(HttpStatusCode.Created);
        var campaign = Seed.Campaign(slug: "audited-2026", charities: ["audited"], goal: 2_000_000);
        await (await admin.PutJson("/api/campaigns/audited-2026", campaign)).Expect(HttpStatusCode.OK);
        var purchase = await (await checkout.PostJson("/api/purchases", Seed.Purchase("AUDIT-1", 10_000, campaign: "audited-2026", charity: "audited", customerRef: "shopper-audit-7"), "audit-1"))
            .Expect(HttpStatusCode.Created);
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("AUDIT-2", 5_000, campaign: "audited-2026", charity: "audited", customerRef: null), "audit-2"))
            .Expect(HttpStatusCode.Created);
        var refunded = await (await checkout.PostJson($"/api/purchases/{purchase.Str("id")}/refunds", new { amount = 2_500, reference = "TILL-R9" }, "audit-r1"))
            .Expect(HttpStatusCode.Created);
        app.Clock.Set(Start.AddDays(2));
        var cutoff = Start.AddDays(1);
        var batch = await (await finance.PostJson("/api/remittances", new { charity = "audited", currency = "usd", cutoffUtc = cutoff })).Expect(HttpStatusCode.Created);
        await (await finance.PostJson($"/api/remittances/{batch.Str("id")}/paid", new { reference = "BANK-77" })).Expect(HttpStatusCode.OK);
        var hash = await app.WithDbAsync(db => db.Purchases.Where(p => p.OrderId == "AUDIT-1").Select(p => p.CustomerHash).SingleAsync());
        hash.ShouldNotBeNull();
        await (await admin.DeleteAsync("/api/customers/shopper-audit-7")).Expect(HttpStatusCode.OK);

        var trail = await TrailAsync(admin);
        var ours = trail.Where(e => e.Str("actor").StartsWith("audit-")).ToList();
        ours.Select(e => e.Str("kind")).ShouldBe(["charity.created", "consent.granted", "charity.updated", "campaign.created", "campaign.updated", "refund.created", "remittance.created", "remittance.paid", "customer.forgotten"]);
        ours.Select(e => e.Str("atUtc")).ShouldBeInOrder(SortDirection.Ascending);
        trail.Count(e => e.Str("kind") == "key.created").ShouldBeGreaterThanOrEqualTo(3); // the keys CLI is on record too

        var updated = trail.Single(e => e.Str("kind") == "charity.updated");
        updated.Str("actor").ShouldBe("audit-admin");
        updated.Str("subject").ShouldBe("charity:audited");
        updated.Str("atUtc").ShouldBe("2026-06-01T12:00:00Z");
        updated["changes"]!.AsObject().Select(c => c.Key).ShouldBe(["name"]); // only what changed, no timestamps
        Change(updated, "name").Str("before").ShouldBe("Audited");
        Change(updated, "name").Str("after").ShouldBe("Audited Trust");

        var consent = trail.Single(e => e.Str("kind") == "consent.granted" && e.Str("subject") == "charity:audited");
        (Change(consent, "grantedBy").Str("after"), Change(consent, "campaigns").Str("after")).ShouldBe(("Jane Doe, Director", "all"));
        Change(consent, "document").Str("after").ShouldBe("https://docs.example/consents/signed.pdf");

        var goal = Change(trail.Single(e => e.Str("kind") == "campaign.updated"), "goal");
        (goal.Str("before"), goal.Str("after")).ShouldBe(("1000000", "2000000"));
        Change(trail.Single(e => e.Str("kind") == "campaign.created"), "charities").Str("after").ShouldBe("audited");

        var refund = trail.Single(e => e.Str("kind") == "refund.created");
        refund.Str("actor").ShouldBe("audit-till");
        refund.Str("subject").ShouldBe($"purchase:{purchase.Str("id")}");
        Changes(refund).ShouldBe([
            $"refundId: null → {refunded.Str("id")}", "amount: null → 2500", "reference: null → TILL-R9",
            "refunded: 0 → 2500", $"reversed: 0 → {refunded.Long("reversed.total")}", "status: confirmed → partially_refunded",
        ]);

        var paid = trail.Single(e => e.Str("kind") == "remittance.paid");
        paid.Str("actor").ShouldBe("audit-finance");
        paid.Str("subject").ShouldBe($"remittance:{batch.Str("id")}");
        (Change(paid, "status").Str("before"), Change(paid, "status").Str("after")).ShouldBe(("draft", "paid"));
        Change(paid, "reference").Str("after").ShouldBe("BANK-77");
        Change(paid, "amount").Str("after").ShouldBe(batch.Long("amount").ToString());
        Change(trail.Single(e => e.Str("kind") == "remittance.created"), "cutoffUtc").Str("after").ShouldBe("2026-06-02T12:00:00Z");

        // Forgetting is on record without the shopper: neither their reference nor its hash is in the trail.
        var forgotten = trail.Single(e => e.Str("kind") == "customer.forgotten");
        Change(forgotten, "purchasesUnlinked").Str("after").ShouldBe("1");
        var all = string.Join("\n", trail.Select(e => e.ToJsonString()));
        all.ShouldNotContain("shopper-audit-7");
        all.ShouldNotContain(hash);
    }

    [Fact]
    public async Task KeysCreatedRotatedAndRevokedAreOnRecordWithoutTheKey()
    {
        var admin = await AdminAsync();
        var output = new StringWriter();
        var exit = await app.WithDbAsync(db => CharityPromo.Api.Access.KeysCli.RunAsync(db, ["create", "--name", "audit-rotated", "--scopes", "checkout", "--expires-in", "30d"],
            output, TextWriter.Null, app.Clock.GetUtcNow().UtcDateTime));
        exit.ShouldBe(0);
        var key = output.ToString().TrimEnd().Split('\n')[^1].Trim();
        (await app.WithDbAsync(db => CharityPromo.Api.Access.KeysCli.RunAsync(db, ["rotate", "--name", "audit-rotated"], new StringWriter(), TextWriter.Null, app.Clock.GetUtcNow().UtcDateTime))).ShouldBe(0);
        (await app.WithDbAsync(db => CharityPromo.Api.Access.KeysCli.RunAsync(db, ["revoke", "--name", "audit-rotated"], new StringWriter(), TextWriter.Null, app.Clock.GetUtcNow().UtcDateTime))).ShouldBe(0);

        var entries = (await TrailAsync(admin, "&kind=key")).Where(e => e.Str("subject") == "key:audit-rotated").ToList();
        entries.Select(e => e.Str("kind")).ShouldBe(["key.created", "key.rotated", "key.revoked"]);
        entries.ShouldAllBe(e => e.Str("actor").StartsWith("cli ("));
        Change(entries[0], "scopes").Str("after").ShouldBe("checkout");
        key.ShouldStartWith(Change(entries[0], "prefix").Str("after"));
        var json = string.Join("\n", entries.Select(e => e.ToJsonString()));
        json.ShouldNotContain(key);
        json.ShouldNotContain(CharityPromo.Api.Access.ApiKeys.Hash(key));
    }

    [Fact]
    public async Task ARefusedOrEmptyChangeLeavesNoEntry()
    {
        var admin = await AdminAsync();
        await (await admin.PostJson("/api/charities", Seed.Charity("audit-once", "Once"))).Expect(HttpStatusCode.Created);
        var before = await app.WithDbAsync(db => db.AuditEntries.CountAsync());

        await (await admin.PostJson("/api/charities", Seed.Charity("audit-once", "Twice"))).ExpectProblem(HttpStatusCode.Conflict, "slug");
        await (await admin.PostJson("/api/charities", new { slug = "Bad Slug", name = "N" })).ExpectProblem(HttpStatusCode.BadRequest, "slug");
        await (await admin.PutJson("/api/charities/audit-once", Seed.Charity("audit-once", "Once"))).Expect(HttpStatusCode.OK); // nothing changed
        await (await admin.PutJson("/api/charities/audit-nobody", Seed.Charity("audit-nobody", "Nobody"))).ExpectProblem(HttpStatusCode.NotFound);

        (await app.WithDbAsync(db => db.AuditEntries.CountAsync())).ShouldBe(before);
    }

    [Fact]
    public async Task TheTrailIsAppendOnlyInTheApiAndInTheDatabase()
    {
        var admin = await AdminAsync();
        await (await admin.PostJson("/api/charities", Seed.Charity("audit-fixed", "Fixed"))).Expect(HttpStatusCode.Created);
        foreach (var method in new[] { HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete, HttpMethod.Post })
            (await admin.SendAsync(new HttpRequestMessage(method, "/api/admin/audit"))).StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);

        var count = await app.WithDbAsync(db => db.AuditEntries.CountAsync());
        await Should.ThrowAsync<Exception>(() => app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("""UPDATE "AuditEntries" SET "Actor" = 'someone else'""")));
        await Should.ThrowAsync<Exception>(() => app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("""DELETE FROM "AuditEntries" """)));
        (await app.WithDbAsync(db => db.AuditEntries.CountAsync(e => e.Actor == "someone else"))).ShouldBe(0);
        (await app.WithDbAsync(db => db.AuditEntries.CountAsync())).ShouldBe(count);
    }

    [Fact]
    public async Task PagesFiltersAndTheCsvCoverTheSameEntries()
    {
        var admin = await AdminAsync();
        app.Clock.Set(Start.AddDays(40));
        for (var i = 0; i < 5; i++)
            await (await admin.PostJson("/api/charities", Seed.Charity($"audit-page-{i}", $"Page {i}"))).Expect(HttpStatusCode.Created);
        app.Clock.Set(Start.AddDays(41));
        await (await admin.PutJson("/api/charities/audit-page-0", Seed.Charity("audit-page-0", "Page zero"))).Expect(HttpStatusCode.OK);

        var window = $"&from={Start.AddDays(40):yyyy-MM-ddTHH:mm:ssZ}&to={Start.AddDays(42):yyyy-MM-ddTHH:mm:ssZ}";
        var byTwos = await TrailAsync(admin, $"&kind=charity{window}", limit: 2);
        byTwos.Where(e => e.Str("subject").StartsWith("charity:audit-page-")).Select(e => e.Str("kind"))
            .ShouldBe(["charity.created", "charity.created", "charity.created", "charity.created", "charity.created", "charity.updated"]);
        byTwos.Select(e => e.Long("id")).Distinct().Count().ShouldBe(byTwos.Count);
        (await TrailAsync(admin, $"&kind=charity.updated{window}")).Select(e => e.Str("subject")).ShouldBe(["charity:audit-page-0"]);
        (await TrailAsync(admin, $"&kind=charity&from={Start.AddDays(41):yyyy-MM-ddTHH:mm:ssZ}&to={Start.AddDays(42):yyyy-MM-ddTHH:mm:ssZ}")).Count.ShouldBe(1);

        var csv = await admin.GetAsync($"/api/admin/audit.csv?kind=charity.updated{window}");
        csv.StatusCode.ShouldBe(HttpStatusCode.OK);
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var lines = Encoding.UTF8.GetString(await csv.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF').TrimEnd().Split("\r\n");
        lines[0].ShouldBe("id,atUtc,actor,kind,subject,field,before,after");
        lines.Length.ShouldBe(2); // one changed field, one row
        lines[1].ShouldEndWith(",charity.updated,charity:audit-page-0,name,Page 0,Page zero");

        await (await admin.GetAsync("/api/admin/audit?kind=DROP%20TABLE")).ExpectProblem(HttpStatusCode.BadRequest, "kind");
        await (await admin.GetAsync("/api/admin/audit?limit=0")).ExpectProblem(HttpStatusCode.BadRequest, "limit");
        await (await admin.GetAsync("/api/admin/audit?from=0001-01-01T00:00:00Z")).ExpectProblem(HttpStatusCode.BadRequest, "from");
        await (await admin.GetAsync("/api/admin/audit.csv?to=9999-01-01T00:00:00Z")).ExpectProblem(HttpStatusCode.BadRequest, "to");
        (await app.Client(await app.CreateKeyAsync("finance")).GetAsync("/api/admin/audit")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.Client().GetAsync("/api/admin/audit.csv")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
