using System.Net;
using CharityPromo.Api.Audit;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>
/// The audit trail's hash chain shows any entry changed, removed or inserted by anything but the API, even by someone who
/// could lift the append-only triggers. Both providers. Each test has its own app: each rewrites its trail.
/// </summary>
public sealed class AuditChainTests : IDisposable
{
    private readonly ApiFactory _app = new();

    private async Task<(HttpClient Admin, List<long> Ids)> ChangesAsync()
    {
        var admin = _app.Client(await _app.CreateKeyAsync("admin"));
        await Seed.ContractCampaignAsync(admin, slug: "chained");
        foreach (var description in new[] { "Changed once", "Changed twice" })
            await (await admin.PutJson("/api/charities/read-together", new { slug = "read-together", name = "Read Together", description })).Expect(HttpStatusCode.OK);
        var ids = await _app.WithDbAsync(db => db.AuditEntries.OrderBy(e => e.Id).Select(e => e.Id).ToListAsync());
        ids.Count.ShouldBeGreaterThanOrEqualTo(4);
        return (admin, ids);
    }

    private Task<AuditVerification> VerifyAsync() => _app.WithDbAsync(db => AuditChain.VerifyAsync(db, CancellationToken.None));

    /// <summary>What someone with the database's owner role could do: lift the append-only triggers, then write.</summary>
    private Task<int> TamperAsync(string sql) => _app.WithDbAsync(async db =>
    {
        await using var tx = await db.Database.BeginTransactionAsync();
        if (_app.Provider == "Sqlite")
        {
            await db.Database.ExecuteSqlRawAsync("""DROP TRIGGER "AuditEntries_no_update"; DROP TRIGGER "AuditEntries_no_delete";""");
        }
        else
        {
            await db.Database.ExecuteSqlRawAsync("""ALTER TABLE "AuditEntries" DISABLE TRIGGER USER""");
        }
        var changed = await db.Database.ExecuteSqlRawAsync(sql);
        await tx.CommitAsync();
        return changed;
    });

    [Fact]
    public async Task AnUntouchedTrailVerifiesWithItsHeadTheNewestEntrysHash()
    {
        var (admin, ids) = await ChangesAsync();

        var verified = await (await admin.GetAsync("/api/admin/audit/verify")).Expect(HttpStatusCode.OK);

        verified["ok"]!.GetValue<bool>().ShouldBeTrue();
        verified.Long("entries").ShouldBe(ids.Count);
        verified.Long("unchained").ShouldBe(0);
        verified["brokenAt"].ShouldBeNull();
        verified.Str("head").ShouldBe(await _app.WithDbAsync(db => db.AuditEntries.OrderByDescending(e => e.Id).Select(e => e.Hash).FirstAsync()));
        var output = new StringWriter();
        (await _app.WithDbAsync(db => AuditCli.RunAsync(db, ["verify"], output, output))).ShouldBe(0);
        (await _app.WithDbAsync(db => AuditCli.RunAsync(db, ["verify", "--head", verified.Str("head")], TextWriter.Null, TextWriter.Null))).ShouldBe(0);
        output.ToString().ShouldContain($"The audit trail is whole: {ids.Count} entries");
    }

    [Fact]
    public async Task AnEntryChangedAfterwardsBreaksTheChainThere()
    {
        var (admin, ids) = await ChangesAsync();
        (await TamperAsync($$"""UPDATE "AuditEntries" SET "Actor" = 'someone else' WHERE "Id" = {{ids[2]}}""")).ShouldBe(1);

        var verified = await (await admin.GetAsync("/api/admin/audit/verify")).Expect(HttpStatusCode.OK);
        verified["ok"]!.GetValue<bool>().ShouldBeFalse();
        verified.Long("brokenAt").ShouldBe(ids[2]);
        var errors = new StringWriter();
        (await _app.WithDbAsync(db => AuditCli.RunAsync(db, ["verify"], TextWriter.Null, errors))).ShouldBe(1);
        errors.ToString().ShouldContain($"altered at entry {ids[2]}");
    }

    [Fact]
    public async Task AnEntryRemovedFromTheMiddleBreaksTheChainAtTheNextOne()
    {
        var (_, ids) = await ChangesAsync();
        (await TamperAsync($$"""DELETE FROM "AuditEntries" WHERE "Id" = {{ids[1]}}""")).ShouldBe(1);

        var verified = await VerifyAsync();
        verified.Ok.ShouldBeFalse();
        verified.BrokenAt.ShouldBe(ids[2]);
    }

    [Fact]
    public async Task AnEntryInsertedByHandIsFound()
    {
        var (_, ids) = await ChangesAsync();
        (await TamperAsync("""
            INSERT INTO "AuditEntries" ("AtUtc", "Actor", "Kind", "Subject", "Changes") VALUES ('2026-06-01 12:00:00', 'forger', 'remittance.paid', 'remittance:x', '{{}}')
            """)).ShouldBe(1);

        var verified = await VerifyAsync();
        verified.Ok.ShouldBeFalse();
        verified.BrokenAt.ShouldNotBeNull().ShouldBeGreaterThan(ids[^1]);
        verified.Problem.ShouldNotBeNull().ShouldContain("without a hash");
    }

    [Fact]
    public async Task AChainRewrittenWholeIsShownByTheHeadKeptFromAnEarlierCheck()
    {
        var (admin, _) = await ChangesAsync();
        var kept = (await (await admin.GetAsync("/api/admin/audit/verify")).Expect(HttpStatusCode.OK)).Str("head");
        (await VerifyAsync()).Ok.ShouldBeTrue();

        // Whoever can write the table can make every entry look older than the chain; an unkeyed chain cannot tell alone.
        await TamperAsync("""UPDATE "AuditEntries" SET "Hash" = NULL""");
        (await VerifyAsync()).Ok.ShouldBeTrue();

        var checkedAgainstHead = await (await admin.GetAsync($"/api/admin/audit/verify?head={kept}")).Expect(HttpStatusCode.OK);
        checkedAgainstHead["ok"]!.GetValue<bool>().ShouldBeFalse();
        checkedAgainstHead.Str("problem").ShouldContain("head kept from an earlier check is not in the chain");
        (await _app.WithDbAsync(db => AuditCli.RunAsync(db, ["verify", "--head", kept], TextWriter.Null, TextWriter.Null))).ShouldBe(1);
    }

    [Fact]
    public async Task EntriesFromBeforeTheChainBeganAreCountedAndTheChainStartsAfterThem()
    {
        // As an upgraded database has them: entries without a hash, then the API's own.
        (await TamperAsync("""
            INSERT INTO "AuditEntries" ("AtUtc", "Actor", "Kind", "Subject", "Changes") VALUES ('2026-05-01 12:00:00', 'cli (ops)', 'key.created', 'key:old', '{{}}')
            """)).ShouldBe(1);
        var (_, ids) = await ChangesAsync();

        var verified = await VerifyAsync();
        verified.Ok.ShouldBeTrue();
        verified.Unchained.ShouldBe(1);
        verified.Entries.ShouldBe(ids.Count);
    }

    public void Dispose() => _app.Dispose();
}

/// <summary>
/// On PostgreSQL the API can run as a role that writes the audit trail but cannot lift its append-only triggers: the
/// tables' owner runs the migrations (<c>ConnectionStrings:Migrations</c>), the app connects as a role with the grants
/// docs/OPERATIONS.md shows.
/// </summary>
[Trait("Provider", "Postgres")]
public sealed class AuditRoleTests : IDisposable
{
    private readonly ApiFactory _app = new();
    private readonly string _role = $"cp_app_{Guid.NewGuid():N}"[..24];

    public AuditRoleTests()
    {
        var owner = _app.ConnectionString;
        Run(owner, $"""
            CREATE ROLE "{_role}" LOGIN;
            GRANT USAGE ON SCHEMA public TO "{_role}";
            ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{_role}";
            ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO "{_role}";
            """);
        _app.Settings["ConnectionStrings:Migrations"] = owner;
        _app.Settings["ConnectionStrings:Default"] = new Npgsql.NpgsqlConnectionStringBuilder(owner) { Username = _role }.ConnectionString;
    }

    private static void Run(string connectionString, string sql)
    {
        using var connection = new Npgsql.NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new Npgsql.NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    [Fact]
    public async Task TheAppsRoleWritesTheTrailButCannotLiftItsTriggers()
    {
        var admin = _app.Client(await _app.CreateKeyAsync("admin"));
        await Seed.ContractCampaignAsync(admin, slug: "role-bound");
        (await _app.WithDbAsync(db => db.Database.SqlQueryRaw<string>("SELECT current_user AS \"Value\"").SingleAsync())).ShouldBe(_role);
        (await _app.WithDbAsync(db => db.AuditEntries.CountAsync())).ShouldBeGreaterThan(0);

        var app = _app.Settings["ConnectionStrings:Default"];
        Should.Throw<Npgsql.PostgresException>(() => Run(app, """ALTER TABLE "AuditEntries" DISABLE TRIGGER USER""")).SqlState.ShouldBe("42501");
        Should.Throw<Npgsql.PostgresException>(() => Run(app, """DROP TRIGGER "AuditEntries_no_change" ON "AuditEntries" """)).SqlState.ShouldBe("42501");
        Should.Throw<Npgsql.PostgresException>(() => Run(app, """UPDATE "AuditEntries" SET "Actor" = 'someone else'""")); // the trigger still refuses
        (await _app.WithDbAsync(db => AuditChain.VerifyAsync(db, CancellationToken.None))).Ok.ShouldBeTrue();
    }

    public void Dispose()
    {
        _app.Dispose();
        Run(ApiFactory.PostgresServer!, $"""DROP ROLE IF EXISTS "{_role}" """);
    }
}
