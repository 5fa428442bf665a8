namespace CharityPromo.Api.Data;

/// <summary>
/// Where finance's reports and exports read: a replica when <c>ConnectionStrings:Reports</c> names one, so long exports
/// and period reports take nothing from the primary, which takes the writes; otherwise the primary's own
/// <see cref="AppDb"/>. A replica lags its primary by its replication delay: a purchase recorded a moment ago may not be
/// in a report yet (docs/OPERATIONS.md). Writes never go through it.
/// </summary>
internal sealed class ReportsDb : IAsyncDisposable
{
    private readonly AppDb? _replica;

    public ReportsDb(IServiceProvider scope, Microsoft.EntityFrameworkCore.DbContextOptions<AppDb>? replica)
    {
        Db = replica is null ? scope.GetRequiredService<AppDb>() : _replica = new AppDb(replica);
    }

    public AppDb Db { get; }

    public ValueTask DisposeAsync() => _replica?.DisposeAsync() ?? ValueTask.CompletedTask;
}
