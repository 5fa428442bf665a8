using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CharityPromo.Api.Infrastructure;

/// <summary>What the single writer (<see cref="WriteBatcher"/>) has done since the process started: how much of the time it
/// was busy, and how much of that went on committing. Every write of an instance goes through it, so when it is busy all
/// the time the instance takes no more writes however many cores sit idle (docs/BENCHMARKS.md, "Why not 10k"). Read by
/// <c>GET /api/admin/writer</c> and published as observable counters on the <c>CharityPromo.Api</c> meter
/// (<c>dotnet-counters monitor --counters CharityPromo.Api</c>).</summary>
internal sealed class WriterStats
{
    public const string MeterName = "CharityPromo.Api";
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _batches, _writes, _busyTicks, _commitTicks;

    public WriterStats(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableCounter("charitypromo.writer.batches", () => Volatile.Read(ref _batches), "{batch}",
            "Write batches run by the single writer, each one transaction and one commit.");
        meter.CreateObservableCounter("charitypromo.writer.writes", () => Volatile.Read(ref _writes), "{write}",
            "Writes run by the single writer, refused ones included.");
        meter.CreateObservableCounter("charitypromo.writer.busy", () => Seconds(Volatile.Read(ref _busyTicks)), "s",
            "Time the single writer spent running batches; beside the elapsed time, how close it is to its limit.");
        meter.CreateObservableCounter("charitypromo.writer.commit", () => Seconds(Volatile.Read(ref _commitTicks)), "s",
            "Of the busy time, the part spent committing.");
    }

    /// <summary>One batch of <paramref name="writes"/> done: <paramref name="busyTicks"/> from its transaction's start until it
    /// committed (or failed), <paramref name="commitTicks"/> of them in the commit.</summary>
    public void Record(int writes, long busyTicks, long commitTicks)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _writes, writes);
        Interlocked.Add(ref _busyTicks, busyTicks);
        Interlocked.Add(ref _commitTicks, commitTicks);
    }

    public WriterReport Report() => new(Volatile.Read(ref _batches), Volatile.Read(ref _writes),
        Seconds(Volatile.Read(ref _busyTicks)), Seconds(Volatile.Read(ref _commitTicks)), Stopwatch.GetElapsedTime(_started).TotalSeconds);

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;
}

/// <summary>The writer's counts since this instance started. Compare two reports a known time apart: the busy seconds'
/// growth over the uptime's is the share of the time the writer was busy (1 means saturated).</summary>
/// <param name="Batches">Transactions committed (or failed) by the writer.</param>
/// <param name="Writes">Writes run in them, refused ones included.</param>
/// <param name="BusySeconds">Time spent running batches.</param>
/// <param name="CommitSeconds">Of that, time spent committing.</param>
/// <param name="UptimeSeconds">Time since the instance started.</param>
public sealed record WriterReport(long Batches, long Writes, double BusySeconds, double CommitSeconds, double UptimeSeconds);

internal static class WriterStatsEndpoints
{
    public static void MapWriterStats(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/admin/writer", (WriterStats stats) => TypedResults.Ok(stats.Report())).WithName("WriterStats").WithTags("Admin")
            .RequireAuthorization(Access.Policies.Monitors)
            .WithSummary("How busy this instance's single writer has been since it started (admin, monitor)")
            .WithDescription("Every write of an instance runs on its one writer, in batches of one transaction each. Counts since the instance started: batches, writes, seconds busy running batches and, of those, seconds committing. Take two readings a known time apart: the growth of `busySeconds` over that of `uptimeSeconds` is the share of the time the writer was busy — near 1, the instance takes no more writes however many cores are idle. Also published on the `CharityPromo.Api` meter for dotnet-counters.");
}
