using System.Diagnostics;
using System.Net;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>scripts/seed.sh, the demo's data, against a real API on loopback (scripts/run.sh runs it the same way).</summary>
[Trait("Provider", "Sqlite")] // then seed-bulk, which writes SQLite directly
public sealed class SeedScriptTests : IDisposable
{
    private readonly ApiFactory _app = new();

    public SeedScriptTests() => _app.Settings["Shop:Name"] = "Corner Books"; // as scripts/run.sh sets Shop__Name

    [Fact]
    public async Task TheDemoRecordsConsentsCapsTokyoBooksAndNamesTheShop()
    {
        _app.Clock.Set(DateTimeOffset.UtcNow); // the script dates its campaigns from today
        var key = await _app.CreateKeyAsync("admin,checkout,finance");
        var start = new ProcessStartInfo("bash", [Repository.PathTo("scripts", "seed.sh"), _app.Address.ToString().TrimEnd('/'), key, "http://127.0.0.1:9"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var seed = Process.Start(start)!;
        var output = seed.StandardOutput.ReadToEndAsync();
        var errors = await seed.StandardError.ReadToEndAsync();
        await seed.WaitForExitAsync();
        seed.ExitCode.ShouldBe(0, errors + await output);

        var admin = _app.Client(key);
        var campaigns = await (await _app.Client().GetAsync("/api/campaigns")).Expect(HttpStatusCode.OK);
        foreach (var campaign in campaigns.AsArray())
        {
            campaign!.Str("disclosure").ShouldStartWith("Corner Books gives ");
            if (campaign!.Str("status") != "ended")
                campaign!["charities"]!.AsArray().ShouldAllBe(c => c!["consented"]!.GetValue<bool>(), campaign.Str("slug"));
        }
        var ocean = await (await admin.GetAsync("/api/charities/ocean-clean/consents")).Expect(HttpStatusCode.OK);
        ocean[0]!["campaigns"]!.AsArray().Select(c => c!.GetValue<string>()).ShouldBe(["coast-and-kitchen"]);

        var tokyo = await (await _app.Client().GetAsync("/api/campaigns/tokyo-books")).Expect(HttpStatusCode.OK);
        tokyo.Long("pledge.campaignCap").ShouldBe(60_000);
        tokyo.Long("totals.merchantCapLeft").ShouldBe(60_000 - (50 + 99)); // 2% of its two demo purchases (¥2,480 and ¥4,960)
        tokyo.Str("disclosure").ShouldContain("up to ¥60,000 in all");

        // scripts/run.sh then adds weeks of history with seed-bulk, which keeps to the cap too.
        var exit = await _app.WithDbAsync(db => CharityPromo.Api.Data.BulkSeeder.RunAsync(db, ["--campaign", "tokyo-books", "--purchases", "400", "--days", "42"],
            TextWriter.Null, TextWriter.Null, _app.Clock.GetUtcNow().UtcDateTime));
        exit.ShouldBe(0);
        (await (await _app.Client().GetAsync("/api/campaigns/tokyo-books?after=bulk")).Expect(HttpStatusCode.OK)).Long("totals.merchantCapLeft").ShouldBe(0); // (another URL: seed-bulk evicts no cached answer)
        var invariants = await (await admin.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
        invariants["ok"]!.GetValue<bool>().ShouldBeTrue(invariants.ToJsonString());
    }

    public void Dispose() => _app.Dispose();
}
