using System.Diagnostics;
using System.Threading.Channels;
using CharityPromo.Api.Data;
using Microsoft.AspNetCore.OutputCaching;

namespace CharityPromo.Api.Infrastructure;

/// <summary>
/// Group commit: the single writer. Writes queue here; the writer takes up to <see cref="MaxBatch"/> at a
/// time and runs them one after another in one transaction, each inside its own savepoint (a write that
/// fails or is refused rolls back alone), then commits once, so one fsync covers the whole batch. Each
/// request is answered only after its batch has committed. SQLite allows one writer at a time anyway;
/// queueing here avoids its busy-retry sleeps.
/// </summary>
internal sealed class WriteBatcher(IServiceScopeFactory scopes, IOutputCacheStore publicCache, WriterStats stats, ApiMetrics metrics, ILogger<WriteBatcher> logger)
    : BackgroundService
{
    public const int MaxBatch = 128;
    /// <summary>How often one write is run again after losing a deadlock to another instance.</summary>
    private const int MaxAttempts = 5;
    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>
    /// What a write decided: its answer, and whether its changes are kept. An undone write may have a follow-up, run after
    /// the undo in the same savepoint and kept, whose answer replaces the write's (a refusal stored for replay).
    /// </summary>
    /// <param name="Ended">A kept write that already ended its savepoint (<see cref="EndWrite"/>) in its own last round trip.</param>
    public readonly record struct Outcome(IResult Result, bool Keep, Func<AppDb, Task<IResult>>? AfterUndo = null, bool Ended = false);

    /// <summary>Queues <paramref name="work"/> and completes once its batch has committed (or failed). Only <see cref="Writes"/> calls it.</summary>
    public Task<IResult> RunAsync(Func<AppDb, Task<Outcome>> work)
    {
        var item = new Item(work, Activity.Current?.Context);
        if (!_queue.Writer.TryWrite(item)) item.Done.SetException(new InvalidOperationException("The writer has stopped."));
        return item.Done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        var batch = new List<Item>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stopping))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item)) batch.Add(item);
                await RunBatchAsync(batch);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var item)) item.Done.TrySetException(new OperationCanceledException("The server is stopping."));
        }
    }

    private async Task RunBatchAsync(List<Item> batch)
    {
        var started = Stopwatch.GetTimestamp();
        using var span = Telemetry.BatchSpan(batch.Select(i => i.Caller));
        var answered = new List<(Item Item, IResult Result)>(batch.Count);
        long commitStarted = 0, commitTicks = 0;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDb>();
            // Each write has its own savepoint here, so EF need not wrap every SaveChanges in one more.
            db.Database.AutoSavepointsEnabled = false;
            db.ForgetCounts(0); // a pooled context may come back from a batch that failed
            await using var tx = await db.Database.BeginTransactionAsync();
            // The savepoint before the next write: taken once here; after a kept write released and taken again in one
            // round trip (PostgreSQL), or with the write's own last statements; after an undone one still there, since rolling
            // back to a savepoint keeps it.
            await db.ExecuteAsync(Savepoint);
            var kept = 0; // counts of the writes kept so far
            async Task UndoAsync()
            {
                await db.ExecuteAsync(RollbackToSavepoint);
                db.ForgetCampaignLocks(); // the row locks taken since the savepoint went with it
                db.ForgetCounts(kept);
            }
            foreach (var item in batch)
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        var outcome = await item.Work(db);
                        var result = outcome.Result;
                        if (outcome.Keep)
                        {
                            if (!outcome.Ended) await db.ExecuteAsync(EndWrite);
                        }
                        else
                        {
                            await UndoAsync();
                            if (outcome.AfterUndo is { } after)
                            {
                                db.ChangeTracker.Clear();
                                result = await after(db);
                                await db.ExecuteAsync(EndWrite);
                            }
                        }
                        answered.Add((item, result));
                        kept = db.PendingCounts;
                        break;
                    }
                    catch (Exception ex) when (DbErrors.IsTransientConflict(ex) && attempt < MaxAttempts)
                    {
                        // Another instance's batch holds what this write needs (PostgreSQL): undo it and run it again.
                        await UndoAsync();
                    }
                    catch (Exception ex)
                    {
                        await UndoAsync();
                        item.Done.TrySetException(ex);
                        break;
                    }
                    finally
                    {
                        db.ChangeTracker.Clear();
                    }
                }
            }
            commitStarted = Stopwatch.GetTimestamp();
            await tx.CommitAsync();
            commitTicks = Stopwatch.GetTimestamp() - commitStarted;
            db.CountCommitted(metrics);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "A write batch of {Count} failed to commit; every write in it fails.", batch.Count);
            span?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            var failed = Stopwatch.GetTimestamp();
            stats.Record(batch.Count, failed - started, commitStarted == 0 ? 0 : failed - commitStarted);
            foreach (var item in batch) item.Done.TrySetException(ex);
            return;
        }
        await PublicCache.EvictAsync(publicCache, CancellationToken.None); // public figures may have moved
        span?.SetTag("charitypromo.batch.writes", batch.Count);
        stats.Record(batch.Count, Stopwatch.GetTimestamp() - started, commitTicks); // before the answers, so a client that got one sees it counted
        foreach (var (item, result) in answered) item.Done.TrySetResult(result);
    }

    private static readonly FormattableString Savepoint = $"SAVEPOINT write";

    /// <summary>Back to the start of the current write: undoes it (the savepoint stays, for the next write).</summary>
    public static readonly FormattableString RollbackToSavepoint = $"ROLLBACK TO SAVEPOINT write";

    /// <summary>
    /// Ends a kept write: releases its savepoint and takes the next write's. A write may send these with its own last
    /// statements, saving a round trip (<see cref="Outcome.Ended"/>); otherwise the writer sends them.
    /// </summary>
    public static readonly FormattableString[] EndWrite = [$"RELEASE SAVEPOINT write", Savepoint];

    /// <param name="Caller">The trace of the request (or job) that queued the write, for the batch's span.</param>
    private sealed record Item(Func<AppDb, Task<Outcome>> Work, ActivityContext? Caller)
    {
        public TaskCompletionSource<IResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
