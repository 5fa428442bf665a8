using System.Net;
using System.Text;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>A shopper asks to be forgotten: the link to them goes, the money stays exact. Both providers.</summary>
public class ForgetCustomerTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task AForgottenShoppersHashIsNowhereInTheDatabaseAndTheirNextPurchaseStartsAFreshHistory()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, new { minPriorPurchases = 2, percentBps = 10000, budget = 100_000 });
        var purchases = new List<System.Text.Json.Nodes.JsonNode>();
        for (var i = 1; i <= 3; i++)
            purchases.Add(await (await checkout.PostJson("/api/purchases", Seed.Purchase($"FORGET-{i}", customerRef: "shopper-42"), $"forget-{i}")).Expect(HttpStatusCode.Created));
        purchases[2].Long("donation.match").ShouldBe(351); // loyal after two
        var hash = await app.WithDbAsync(db => db.Purchases.Where(p => p.OrderId == "FORGET-1").Select(p => p.CustomerHash).SingleAsync());
        hash.ShouldNotBeNull();
        Encoding.ASCII.GetString(await app.DatabaseBytesAsync()).ShouldContain(hash);
        var before = await (await admin.GetAsync("/api/campaigns/literacy-2026")).Expect(HttpStatusCode.OK);

        var forgotten = await (await admin.DeleteAsync("/api/customers/shopper-42")).Expect(HttpStatusCode.OK);
        forgotten.Long("purchasesUnlinked").ShouldBe(3);
        Encoding.ASCII.GetString(await app.DatabaseBytesAsync()).ShouldNotContain(hash);
        (await (await admin.DeleteAsync("/api/customers/shopper-42")).Expect(HttpStatusCode.OK)).Long("purchasesUnlinked").ShouldBe(0);
        // On SQLite, zeroing freed pages is for the forgetting alone: the writer's later writes do not pay for it.
        if (app.Provider == "Sqlite") (await SecureDeleteOfTheWritersConnectionAsync()).ShouldBe(0);

        // Finance keeps every figure: totals, each purchase's donation, the invariants.
        (await (await admin.GetAsync("/api/campaigns/literacy-2026")).Expect(HttpStatusCode.OK))["totals"]!.ToJsonString().ShouldBe(before["totals"]!.ToJsonString());
        foreach (var p in purchases)
            (await (await admin.GetAsync($"/api/purchases/{p.Str("id")}")).Expect(HttpStatusCode.OK))["donation"]!.ToJsonString().ShouldBe(p["donation"]!.ToJsonString());
        (await (await admin.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK))["ok"]!.GetValue<bool>().ShouldBeTrue();

        var next = await (await checkout.PostJson("/api/purchases", Seed.Purchase("FORGET-4", customerRef: "shopper-42"), "forget-4")).Expect(HttpStatusCode.Created);
        next.Long("donation.match").ShouldBe(0); // a fresh history
    }

    private async Task<long> SecureDeleteOfTheWritersConnectionAsync()
    {
        var mode = -1L;
        await app.Services.GetRequiredService<Writes>().RunAsync(async db =>
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandText = "PRAGMA secure_delete";
            mode = (long)(await command.ExecuteScalarAsync())!;
        });
        return mode;
    }

    [Fact]
    public async Task OnlyAdminsForgetAndTheReferenceMustBePlainText()
    {
        (await app.Client(await app.CreateKeyAsync("checkout")).DeleteAsync("/api/customers/someone")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.Client().DeleteAsync("/api/customers/someone")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        await (await admin.DeleteAsync("/api/customers/a%1Bb")).ExpectProblem(HttpStatusCode.BadRequest, "customerRef");
        await (await admin.DeleteAsync($"/api/customers/{new string('c', 101)}")).ExpectProblem(HttpStatusCode.BadRequest, "customerRef");
    }

    [Fact]
    public async Task AnyReferenceCanBeForgottenFromTheBodyAndTheRequestsThatMadeItsPurchasesLoseTheirFingerprints()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, slug: "forget-body");
        const string reference = "shop/42?who=jo%20doe";
        var made = await (await checkout.PostJson("/api/purchases", Seed.Purchase("FORGET-BODY-1", campaign: "forget-body", customerRef: reference), "forget-body-1"))
            .Expect(HttpStatusCode.Created);
        string Unkeyed(string body) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"POST /api/purchases\n{body}")));
        var fingerprint = await app.WithDbAsync(db => db.Purchases.Where(p => p.OrderId == "FORGET-BODY-1").Select(p => p.CreationFingerprint).SingleAsync());
        fingerprint.ShouldNotBeNull().Length.ShouldBe(64);
        // Keyed: not the plain SHA-256 a dictionary of likely references could be checked against.
        fingerprint.ShouldNotBe(Unkeyed(System.Text.Json.JsonSerializer.Serialize(Seed.Purchase("FORGET-BODY-1", campaign: "forget-body", customerRef: reference))));

        var forgotten = await (await admin.PostJson("/api/customers/forget", new { customerRef = reference })).Expect(HttpStatusCode.OK);

        forgotten.Long("purchasesUnlinked").ShouldBe(1);
        (await app.WithDbAsync(db => db.Purchases.Where(p => p.OrderId == "FORGET-BODY-1").Select(p => new { p.CustomerHash, p.CreationFingerprint }).SingleAsync()))
            .ShouldBe(new { CustomerHash = (string?)null, CreationFingerprint = (string?)null });
        (await app.WithDbAsync(db => db.IdempotencyRecords.Where(r => r.Key == "forget-body-1").Select(r => r.Fingerprint).SingleAsync())).ShouldBeEmpty();
        // The checkout's retry of that request can no longer be matched to it: refused, and never a second purchase.
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("FORGET-BODY-1", campaign: "forget-body", customerRef: reference), "forget-body-1"))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "Idempotency-Key");
        (await app.WithDbAsync(db => db.Purchases.CountAsync(p => p.OrderId == "FORGET-BODY-1"))).ShouldBe(1);
        made.Str("id").ShouldNotBeNullOrEmpty();

        await (await admin.PostJson("/api/customers/forget", new { customerRef = "   " })).ExpectProblem(HttpStatusCode.BadRequest, "customerRef");
        await (await admin.PostJson("/api/customers/forget", new { customerRef = new string('x', 300) })).ExpectProblem(HttpStatusCode.BadRequest, "customerRef");
        await (await checkout.PostJson("/api/customers/forget", new { customerRef = reference })).ExpectProblem(HttpStatusCode.Forbidden);
    }
}
