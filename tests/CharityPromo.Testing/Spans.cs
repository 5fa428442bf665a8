using System.Collections.ObjectModel;
using System.Diagnostics;

namespace CharityPromo.Testing;

/// <summary>
/// Where a test's in-memory OpenTelemetry exporter puts finished spans. Spans end on many threads, and an app's tracer
/// listens process-wide, so other test classes' spans arrive here too: filter by trace id.
/// </summary>
public sealed class Spans : Collection<Activity>
{
    protected override void InsertItem(int index, Activity item)
    {
        lock (this) base.InsertItem(index, item);
    }

    public List<Activity> Snapshot()
    {
        lock (this) return this.ToList();
    }
}
