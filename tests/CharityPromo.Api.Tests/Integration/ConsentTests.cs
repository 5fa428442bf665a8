using System.Net;
using CharityPromo.Api.Data;
using CharityPromo.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CharityPromo.Api.Tests.Integration;

public class ConsentTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    private static object Quote(string campaign, string charity) =>
        new { campaign, charity, currency = "usd", amount = 4999, roundUp = false, addOn = 0, customerRef = (string?)null };

    private async Task<(HttpClient Admin, HttpClient Checkout)> CharityWithoutConsentAsync(string charity, params string[] campaigns)
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        await (await admin.PostJson("/api/charities", Seed.Charity(charity, $"Charity {charity}"))).Expect(HttpStatusCode.Created);
        foreach (var campaign in campaigns)
            await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: campaign, charities: [charity]))).Expect(HttpStatusCode.Created);
        return (admin, checkout);
    }

    private static async Task ExpectConsentMissingAsync(HttpResponseMessage response, string charity)
    {
        var problem = await response.ExpectProblem(HttpStatusCode.UnprocessableEntity, "charity");
        problem.Str("type").ShouldBe("urn:charitypromo:problem:charity-consent-missing");
        problem.Str("charity").ShouldBe(charity);
        problem.Str("detail").ShouldContain($"Charity {charity}");
    }

    [Fact]
    public async Task WithoutAConsentQuotesAndPurchasesAreRefusedNamingTheCharityAndNothingIsRecorded()
    {
        var (admin, checkout) = await CharityWithoutConsentAsync("unsigned", "unsigned-campaign");
        await ExpectConsentMissingAsync(await checkout.PostJson("/api/pledges/quote", Quote("unsigned-campaign", "unsigned")), "unsigned");
        await ExpectConsentMissingAsync(await checkout.PostJson("/api/purchases",
            Seed.Purchase("UNSIGNED-1", campaign: "unsigned-campaign", charity: "unsigned"), "unsigned-1"), "unsigned");
        (await app.WithDbAsync(db => db.Purchases.CountAsync(p => p.OrderId == "UNSIGNED-1"))).ShouldBe(0);
        var campaign = await (await app.Client().GetAsync("/api/campaigns/unsigned-campaign")).Expect(HttpStatusCode.OK);
        campaign["charities"]![0]!["consented"]!.GetValue<bool>().ShouldBeFalse();

        var granted = await admin.PostJson("/api/charities/unsigned/consents", Seed.Consent());
        var consent = await granted.Expect(HttpStatusCode.Created);
        granted.Headers.Location!.ToString().ShouldBe($"/api/charities/unsigned/consents/{consent.Str("id")}");
        (consent.Str("grantedBy"), consent.Str("document"), consent.Str("grantedUtc")).ShouldBe(
            ("Jane Doe, Director", "https://docs.example/consents/signed.pdf", "2020-01-01T00:00:00Z"));
        consent["campaigns"].ShouldBeNull();
        consent["expiresUtc"].ShouldBeNull();

        await (await checkout.PostJson("/api/pledges/quote", Quote("unsigned-campaign", "unsigned"))).Expect(HttpStatusCode.OK);
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("UNSIGNED-1", campaign: "unsigned-campaign", charity: "unsigned"), "unsigned-2"))
            .Expect(HttpStatusCode.Created);
        campaign = await (await app.Client().GetAsync("/api/campaigns/unsigned-campaign")).Expect(HttpStatusCode.OK);
        campaign["charities"]![0]!["consented"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task AConsentCoversOnlyTheCampaignsItNamesAndOnlyFromItsStartUntilItsEnd()
    {
        var (admin, checkout) = await CharityWithoutConsentAsync("scoped", "scoped-named", "scoped-other");
        var now = app.Clock.GetUtcNow();
        await (await admin.PostJson("/api/charities/scoped/consents", Seed.Consent(["scoped-named"], granted: now.AddHours(1).ToString("O"),
            expires: now.AddDays(2).ToString("O")))).Expect(HttpStatusCode.Created);

        await ExpectConsentMissingAsync(await checkout.PostJson("/api/pledges/quote", Quote("scoped-named", "scoped")), "scoped"); // not yet
        app.Clock.Advance(TimeSpan.FromHours(1));
        await (await checkout.PostJson("/api/pledges/quote", Quote("scoped-named", "scoped"))).Expect(HttpStatusCode.OK);
        await ExpectConsentMissingAsync(await checkout.PostJson("/api/pledges/quote", Quote("scoped-other", "scoped")), "scoped");
        app.Clock.Advance(TimeSpan.FromDays(2));
        await ExpectConsentMissingAsync(await checkout.PostJson("/api/pledges/quote", Quote("scoped-named", "scoped")), "scoped"); // expired
        app.Clock.Set(now);

        var list = await (await admin.GetAsync("/api/charities/scoped/consents")).Expect(HttpStatusCode.OK);
        list.AsArray().Count.ShouldBe(1);
        list[0]!["campaigns"]!.AsArray().Select(c => c!.GetValue<string>()).ShouldBe(["scoped-named"]);
    }

    [Fact]
    public async Task AWithdrawnConsentCoversNothingFromThenOnAndStaysOnRecord()
    {
        var (admin, checkout) = await CharityWithoutConsentAsync("withdrawn", "withdrawn-campaign");
        var consent = await (await admin.PostJson("/api/charities/withdrawn/consents", Seed.Consent())).Expect(HttpStatusCode.Created);
        var purchase = Seed.Purchase("W-1", campaign: "withdrawn-campaign", charity: "withdrawn");
        await (await checkout.PostJson("/api/purchases", purchase, "w-1")).Expect(HttpStatusCode.Created);

        var withdrawn = await (await admin.DeleteAsync($"/api/charities/withdrawn/consents/{consent.Str("id")}")).Expect(HttpStatusCode.OK);
        withdrawn.Str("withdrawnUtc").ShouldBe("2026-06-01T12:00:00Z");
        var again = await (await admin.DeleteAsync($"/api/charities/withdrawn/consents/{consent.Str("id")}")).Expect(HttpStatusCode.OK);
        again.Str("withdrawnUtc").ShouldBe("2026-06-01T12:00:00Z");
        await ExpectConsentMissingAsync(await checkout.PostJson("/api/purchases", Seed.Purchase("W-2", campaign: "withdrawn-campaign", charity: "withdrawn"), "w-2"),
            "withdrawn");
        (await (await admin.GetAsync($"/api/charities/withdrawn/consents/{consent.Str("id")}")).Expect(HttpStatusCode.OK)).Str("withdrawnUtc")
            .ShouldBe("2026-06-01T12:00:00Z");
        await (await admin.DeleteAsync($"/api/charities/withdrawn/consents/{Guid.NewGuid()}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await admin.DeleteAsync($"/api/charities/scoped-nobody/consents/{consent.Str("id")}")).ExpectProblem(HttpStatusCode.NotFound);

        var kinds = await app.WithDbAsync(db => db.AuditEntries.Where(a => a.Subject == "charity:withdrawn").OrderBy(a => a.Id).Select(a => a.Kind).ToListAsync());
        kinds.ShouldBe(["charity.created", "consent.granted", "consent.withdrawn"]);
    }

    [Theory]
    [InlineData("""{"grantedBy":"J","grantedUtc":"2026-02-01T00:00:00Z","document":"https://d.example/c.pdf","expiresUtc":"2026-01-01T00:00:00Z"}""", "expiresUtc")]
    [InlineData("""{"grantedBy":"J","grantedUtc":"2026-02-01T00:00:00Z","document":"https://d.example/c.pdf","campaigns":["no-such-campaign"]}""", "campaigns[0]")]
    [InlineData("""{"grantedBy":"J","grantedUtc":"2026-02-01T00:00:00Z","document":"https://d.example/c.pdf","campaigns":["Not A Slug"]}""", "campaigns[0]")]
    [InlineData("""{"grantedBy":"J","grantedUtc":"2026-02-01T00:00:00Z","document":"https://d.example/c.pdf","campaigns":[]}""", "campaigns")]
    [InlineData("""{"grantedBy":"J","grantedUtc":"2026-02-01T00:00:00Z","document":"not a url"}""", "document")]
    [InlineData("""{"grantedBy":"","grantedUtc":"2026-02-01T00:00:00Z","document":"https://d.example/c.pdf"}""", "grantedBy")]
    [InlineData("""{"grantedBy":"J","document":"https://d.example/c.pdf"}""", "grantedUtc")]
    public async Task BadConsentsAreRefusedNamingTheField(string body, string field)
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        await admin.ConsentingCharityAsync("bad-consent", "Bad Consent");
        var before = await app.WithDbAsync(db => db.CharityConsents.CountAsync());
        await (await admin.PostJson("/api/charities/bad-consent/consents", body)).ExpectProblem(HttpStatusCode.BadRequest, field);
        (await app.WithDbAsync(db => db.CharityConsents.CountAsync())).ShouldBe(before);
    }

    [Fact]
    public async Task ConsentsOfAnUnknownCharityAreNotFoundAndOnlyAdminsSeeThem()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        await (await admin.PostJson("/api/charities/nobody-here/consents", Seed.Consent())).ExpectProblem(HttpStatusCode.NotFound);
        await (await admin.GetAsync("/api/charities/nobody-here/consents")).ExpectProblem(HttpStatusCode.NotFound);
        (await app.Client(await app.CreateKeyAsync("checkout")).GetAsync("/api/charities/read-together/consents")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.Client().GetAsync("/api/charities/read-together/consents")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}

/// <summary>Upgrading a database whose campaigns predate consents (migration 0013).</summary>
[Trait("Provider", "Sqlite")]
public class ConsentUpgradeTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "charitypromo-tests", Guid.NewGuid().ToString("N"));

    public ConsentUpgradeTests() => Directory.CreateDirectory(_folder);

    [Fact]
    public async Task CampaignsNotYetEndedKeepTheirCharitiesConsentAsGrandfatheredAndAudited()
    {
        var path = Path.Combine(_folder, "upgrade.db");
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await Exec(connection, "CREATE TABLE __schema_migrations (version TEXT NOT NULL PRIMARY KEY, applied_utc TEXT NOT NULL);");
            foreach (var (version, sql) in Migrator.Scripts("Sqlite").Where(s => string.CompareOrdinal(s.Version, "0013") < 0))
            {
                await Exec(connection, sql);
                await Exec(connection, $"INSERT INTO __schema_migrations VALUES ('{version}', '2026-01-01');");
            }
            await Exec(connection, """
                INSERT INTO "Charities" ("Id","Slug","Name","Description","CreatedUtc","UpdatedUtc") VALUES
                  ('11111111-1111-1111-1111-111111111111','running','Running','','2025-01-01 00:00:00','2025-01-01 00:00:00'),
                  ('22222222-2222-2222-2222-222222222222','past','Past','','2025-01-01 00:00:00','2025-01-01 00:00:00');
                INSERT INTO "Campaigns" ("Id","Slug","Name","Description","Currency","Goal","StartsUtc","EndsUtc","RoundUp","AddOn","MatchUsed","CreatedUtc","UpdatedUtc") VALUES
                  ('AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA','now-running','N','','usd',0,'2025-01-01 00:00:00','2999-01-01 00:00:00',0,0,0,'2025-01-01 00:00:00','2025-01-01 00:00:00'),
                  ('BBBBBBBB-BBBB-BBBB-BBBB-BBBBBBBBBBBB','long-ended','E','','usd',0,'2025-01-01 00:00:00','2025-02-01 00:00:00',0,0,0,'2025-01-01 00:00:00','2025-01-01 00:00:00');
                INSERT INTO "CampaignCharities" VALUES ('AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA','11111111-1111-1111-1111-111111111111',0),
                  ('BBBBBBBB-BBBB-BBBB-BBBB-BBBBBBBBBBBB','11111111-1111-1111-1111-111111111111',0),
                  ('BBBBBBBB-BBBB-BBBB-BBBB-BBBBBBBBBBBB','22222222-2222-2222-2222-222222222222',0);
                """);
        }

        await using var db = new AppDb(new DbContextOptionsBuilder<AppDb>().UseSqlite($"Data Source={path}").Options);
        await Migrator.MigrateAsync(db);
        var consents = await db.CharityConsents.Include(k => k.Campaigns).ToListAsync();
        var consent = consents.ShouldHaveSingleItem(); // the charity of an ended campaign only has nothing to keep running
        consent.CharityId.ShouldBe(Guid.Parse("11111111-1111-1111-1111-111111111111"));
        consent.GrantedBy.ShouldContain("grandfathered");
        (consent.Document, consent.AllCampaigns, consent.ExpiresUtc, consent.WithdrawnUtc).ShouldBe((null, false, null, null));
        consent.Campaigns.Select(c => c.CampaignId).ShouldBe([Guid.Parse("AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA")]);
        var covered = await CharityPromo.Api.Consents.Consents.CoveredAsync(db, [Guid.Parse("AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA")], DateTime.UtcNow, default);
        covered.ShouldBe([(Guid.Parse("AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA"), Guid.Parse("11111111-1111-1111-1111-111111111111"))]);

        var audit = (await db.AuditEntries.ToListAsync()).ShouldHaveSingleItem();
        (audit.Kind, audit.Subject, audit.Actor).ShouldBe(("consent.grandfathered", "charity:running", "migration 0013"));
        var changes = CharityPromo.Api.Audit.AuditChanges.FromJson(audit.Changes);
        changes["id"].After.ShouldBe("11111111-1111-1111-1111-111111111111");
        changes["campaigns"].After.ShouldBe("now-running");

        // And every start says so until a signed consent replaces it.
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var logs = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(new CapturingLoggerProvider(lines)));
        (await CharityPromo.Api.Consents.Consents.WarnOfGrandfatheredAsync(db, logs.CreateLogger("consents"), default)).ShouldBe(1);
        lines.ShouldHaveSingleItem().ShouldContain("1 charities sell under a consent grandfathered at the upgrade (migration 0013), not a signed one: running.");
        consent.WithdrawnUtc = DateTime.UtcNow;
        await db.SaveChangesAsync();
        (await CharityPromo.Api.Consents.Consents.WarnOfGrandfatheredAsync(db, logs.CreateLogger("consents"), default)).ShouldBe(0);
    }

    private static async Task Exec(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
