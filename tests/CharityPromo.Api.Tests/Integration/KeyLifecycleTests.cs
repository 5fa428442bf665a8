using System.Net;
using CharityPromo.Api.Access;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>API keys that expire, rotate with a grace period, and show when they were last used. Both providers.</summary>
public class KeyLifecycleTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    private async Task<(int Exit, string Out, string Err)> KeysAsync(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var exit = await app.WithDbAsync(db => KeysCli.RunAsync(db, args, output, error, app.Clock.GetUtcNow().UtcDateTime));
        return (exit, output.ToString(), error.ToString());
    }

    private static string NewKey(string output) => output.TrimEnd().Split('\n')[^1].Trim();

    private Task<string> ListLineAsync(string name) =>
        KeysAsync("list").ContinueWith(t => t.Result.Out.Split('\n').Single(l => l.StartsWith(name + "\t", StringComparison.Ordinal)));

    [Fact]
    public async Task AKeyCreatedToExpireIsRefusedAfterwardsWithA401SayingSo()
    {
        var (exit, output, _) = await KeysAsync("create", "--name", "short-lived", "--scopes", "admin", "--expires-in", "2h");
        exit.ShouldBe(0);
        var key = NewKey(output);
        await (await app.Client(key).GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
        (await ListLineAsync("short-lived")).ShouldContain($"expires {app.Clock.GetUtcNow().UtcDateTime.AddHours(2):yyyy-MM-ddTHH:mm:ssZ}");

        app.Clock.Advance(TimeSpan.FromHours(2));
        var problem = await (await app.Client(key).GetAsync("/api/admin/invariants")).ExpectProblem(HttpStatusCode.Unauthorized);
        problem.Str("title").ShouldBe("API key expired");
        problem.Str("detail").ShouldContain("expired at");
        (await ListLineAsync("short-lived")).ShouldEndWith("expired");
    }

    [Theory]
    [InlineData("90")]
    [InlineData("0d")]
    [InlineData("-5d")]
    [InlineData("3w")]
    [InlineData("1.5h")]
    public async Task ADurationIsAWholeNumberWithAUnit(string duration)
    {
        var (exit, _, error) = await KeysAsync("create", "--name", $"bad-{duration}", "--scopes", "admin", "--expires-in", duration);
        exit.ShouldBe(2);
        error.ShouldContain("--expires-in must be a whole number with s, m, h or d");
    }

    [Fact]
    public async Task ARotatedKeyKeepsWorkingForItsGracePeriodAndItsSuccessorIsTheSameClient()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        await Seed.ContractCampaignAsync(admin);
        var old = NewKey((await KeysAsync("create", "--name", "till-7", "--scopes", "checkout", "--expires-in", "90d")).Out);
        var purchase = await (await app.Client(old).PostJson("/api/purchases", Seed.Purchase("ROTATE-1"), "rotate-1")).Expect(HttpStatusCode.Created);

        var (exit, output, _) = await KeysAsync("rotate", "--name", "till-7", "--grace", "1h");
        exit.ShouldBe(0);
        var successor = NewKey(output);
        successor.ShouldNotBe(old);
        // The new key is the same API client: it sees the purchase, and the old key's Idempotency-Key replays.
        await (await app.Client(successor).GetAsync($"/api/purchases/{purchase.Str("id")}")).Expect(HttpStatusCode.OK);
        var replay = await app.Client(successor).PostJson("/api/purchases", Seed.Purchase("ROTATE-1"), "rotate-1");
        (await replay.Expect(HttpStatusCode.Created)).Str("id").ShouldBe(purchase.Str("id"));
        (await ListLineAsync("till-7")).ShouldContain($"expires {app.Clock.GetUtcNow().UtcDateTime.AddDays(90):yyyy-MM-ddTHH:mm:ssZ}");

        await (await app.Client(old).GetAsync($"/api/purchases/{purchase.Str("id")}")).Expect(HttpStatusCode.OK); // within the grace period
        app.Clock.Advance(TimeSpan.FromMinutes(61));
        (await (await app.Client(old).GetAsync($"/api/purchases/{purchase.Str("id")}")).ExpectProblem(HttpStatusCode.Unauthorized)).Str("title").ShouldBe("API key expired");
        await (await app.Client(successor).GetAsync($"/api/purchases/{purchase.Str("id")}")).Expect(HttpStatusCode.OK);
        (await KeysAsync("rotate", "--name", "nobody")).Exit.ShouldBe(1);
    }

    [Fact]
    public async Task LastUsedIsRecordedAtMostOnceAMinute()
    {
        var key = NewKey((await KeysAsync("create", "--name", "counted", "--scopes", "admin")).Out);
        (await ListLineAsync("counted")).ShouldContain("last used never");
        var client = app.Client(key);
        Task<DateTime?> LastUsedAsync() => app.WithDbAsync(db => db.ApiKeys.Where(k => k.Name == "counted").Select(k => k.LastUsedUtc).SingleAsync());
        async Task<DateTime?> SettledAsync(DateTime? expected)
        {
            for (var i = 0; i < 100 && await LastUsedAsync() != expected; i++) await Task.Delay(20); // the write is queued, not awaited
            return await LastUsedAsync();
        }

        var first = app.Clock.GetUtcNow().UtcDateTime;
        await (await client.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
        (await SettledAsync(first)).ShouldBe(first);
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 5; i++) await (await client.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
        app.Clock.Advance(TimeSpan.FromSeconds(31)); // a minute and a second after the first use
        var second = app.Clock.GetUtcNow().UtcDateTime;
        await (await client.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
        (await SettledAsync(second)).ShouldBe(second); // the uses within the minute wrote nothing in between
        (await ListLineAsync("counted")).ShouldContain($"last used {second:yyyy-MM-ddTHH:mm:ssZ}");
    }

    [Fact]
    public async Task RevokingAfterARotationRevokesTheOldKeyInItsGracePeriodToo()
    {
        var old = NewKey((await KeysAsync("create", "--name", "till-9", "--scopes", "admin", "--expires-in", "30d")).Out);
        var successor = NewKey((await KeysAsync("rotate", "--name", "till-9")).Out);
        var other = NewKey((await KeysAsync("create", "--name", "till-10", "--scopes", "admin", "--expires-in", "30d")).Out);
        await (await app.Client(old).GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);

        var (exit, output, _) = await KeysAsync("revoke", "--name", "till-9");

        exit.ShouldBe(0);
        var lines = output.TrimEnd().Split('\n');
        lines.Length.ShouldBe(2);
        lines[0].ShouldStartWith("Revoked 'till-9 (rotated ");
        lines[0].ShouldEndWith($"({ApiKeys.DisplayPrefix(old)}…).");
        lines[1].ShouldBe($"Revoked 'till-9' ({ApiKeys.DisplayPrefix(successor)}…).");
        await (await app.Client(old).GetAsync("/api/admin/invariants")).ExpectProblem(HttpStatusCode.Unauthorized);
        await (await app.Client(successor).GetAsync("/api/admin/invariants")).ExpectProblem(HttpStatusCode.Unauthorized);
        await (await app.Client(other).GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK); // another client's key stays
        (await KeysAsync("revoke", "--name", "till-9")).Exit.ShouldBe(1); // nothing left to revoke
    }

    [Fact]
    public async Task AKeyCreatedWithoutAnExpiryComesWithAWarning()
    {
        var (exit, output, error) = await KeysAsync("create", "--name", "forever", "--scopes", "checkout");
        exit.ShouldBe(0);
        error.ShouldContain("Warning: 'forever' never expires");
        ApiKeys.ShapeOf(NewKey(output)).ShouldBe(KeyShape.Checked); // the warning went to stderr: the key is still stdout's last line
        (await KeysAsync("create", "--name", "bounded", "--scopes", "checkout", "--expires-in", "90d")).Err.ShouldBeEmpty();
    }
}
