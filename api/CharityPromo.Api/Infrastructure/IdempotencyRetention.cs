using CharityPromo.Api.Data;
using Microsoft.Extensions.Options;

namespace CharityPromo.Api.Infrastructure;

/// <summary>The "Idempotency" configuration section.</summary>
internal sealed class IdempotencyOptions
{
    /// <summary>How long a key's stored answer is kept (Stripe keeps its own for 24 hours).</summary>
    public int RetentionDays { get; set; } = 30;
    public TimeSpan SweepEvery { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>Records deleted per write: each sweep batch waits its turn on the writer like any write, so checkouts never queue behind a long delete.</summary>
    public int SweepBatch { get; set; } = 500;
}

/// <summary>
/// Deletes stored answers older than <see cref="IdempotencyOptions.RetentionDays"/>, a small batch per write, in the
/// background. Only the stored answer goes: purchases keep their key (a retry finds the purchase it made) and
/// refunds an id derived from theirs (a retry finds the refund), so an expired key can never make a second one.
/// </summary>
internal sealed class IdempotencyRetention(Writes writes, IOptions<IdempotencyOptions> options, TimeProvider clock, ILogger<IdempotencyRetention> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.SweepEvery, stopping);
                if (await SweepOnceAsync(stopping) is var swept and > 0) logger.LogInformation("Deleted {Count} expired idempotency record(s)", swept);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Sweeping expired idempotency records failed; trying again in {Interval}", options.Value.SweepEvery);
            }
        }
    }

    /// <summary>Deletes every expired record, batch by batch; returns how many.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime.AddDays(-options.Value.RetentionDays);
        var batch = options.Value.SweepBatch;
        var total = 0;
        while (!ct.IsCancellationRequested)
        {
            var deleted = 0;
            await writes.RunAsync(async db => deleted = await db.DeleteExpiredIdempotencyRecordsAsync(cutoff, batch, ct));
            total += deleted;
            if (deleted < batch) return total;
        }
        return total;
    }
}
