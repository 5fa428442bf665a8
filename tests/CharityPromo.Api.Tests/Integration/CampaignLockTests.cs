using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>PostgreSQL only: a write batch locks each campaign once, and again after an undone write released the lock.</summary>
[Trait("Provider", "Postgres")]
public class CampaignLockTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    private const string Slug = "locked";

    [Fact]
    public async Task AWriteBatchLocksTheCampaignAgainAfterAnUndoneWriteReleasedIt()
    {
        await Seed.ContractCampaignAsync(app.Client(await app.CreateKeyAsync("admin")), slug: Slug);
        var writer = app.Services.GetRequiredService<WriteBatcher>();

        // Hold the writer so that the two writes below queue up and run in one batch, one transaction.
        var started = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        var blocker = writer.RunAsync(async _ =>
        {
            started.SetResult();
            await gate.Task;
            return new(TypedResults.Ok(), Keep: false);
        });
        await started.Task;
        var undone = writer.RunAsync(async db =>
        {
            await db.LockCampaignAsync(Slug, CancellationToken.None);
            (await LockedForOthersAsync()).ShouldBeTrue("the first lock in a batch must be taken");
            return new(TypedResults.Ok(), Keep: false); // rolled back to its savepoint: the row lock goes with it
        });
        bool? lockedForNext = null;
        var next = writer.RunAsync(async db =>
        {
            await db.LockCampaignAsync(Slug, CancellationToken.None);
            lockedForNext = await LockedForOthersAsync();
            return new(TypedResults.Ok(), Keep: true);
        });
        gate.SetResult();
        await Task.WhenAll(blocker, undone, next);

        lockedForNext.ShouldBe(true, "the write after an undone one must lock the campaign again");
        (await LockedForOthersAsync()).ShouldBeFalse(); // and the commit released it
    }

    /// <summary>Whether another connection finds the campaign's row locked.</summary>
    private async Task<bool> LockedForOthersAsync()
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1 FROM \"Campaigns\" WHERE \"Slug\" = @slug FOR UPDATE NOWAIT", connection);
        command.Parameters.AddWithValue("slug", Slug);
        try
        {
            await command.ExecuteScalarAsync();
            return false;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            return true;
        }
    }
}
