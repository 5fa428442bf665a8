using CharityPromo.Api.Campaigns;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CharityPromo.Api.Data;

/// <summary>
/// Campaigns already read in the current write transaction, by slug. A write batch prices many purchases for the
/// same few campaigns; reading each campaign once per batch instead of once per purchase took a join off the
/// writer thread for every purchase (docs/BENCHMARKS.md). Entries belong to the transaction they were read in, so a
/// pooled context never carries them into another; outside a transaction nothing is kept. A save that touches a
/// campaign or its charities forgets them all. <see cref="Campaign.MatchUsed"/> moves inside a batch: read it fresh.
/// </summary>
internal sealed partial class AppDb
{
    private readonly Dictionary<string, Campaign> _campaignsRead = new(StringComparer.Ordinal);
    private IDbContextTransaction? _campaignsReadIn;

    // Compiled: pricing (every purchase, once per write batch) and the public campaign read ask for it, and a LINQ query
    // rebuilds its expression tree on each call (docs/BENCHMARKS.md).
    private static readonly Func<AppDb, string, CancellationToken, Task<Campaign?>> FindCampaign = EF.CompileAsyncQuery(
        (AppDb db, string slug, CancellationToken ct) => db.Campaigns.AsNoTracking().Include(c => c.Charities).ThenInclude(cc => cc.Charity)
            .SingleOrDefault(c => c.Slug == slug));

    /// <summary>The campaign with its charities, untracked, or null.</summary>
    public Task<Campaign?> FindCampaignAsync(string slug, CancellationToken ct) => FindCampaign(this, slug, ct);

    public Campaign? CampaignReadInThisTransaction(string slug) =>
        Database.CurrentTransaction is { } tx && ReferenceEquals(tx, _campaignsReadIn) ? _campaignsRead.GetValueOrDefault(slug) : null;

    public void RememberCampaignRead(Campaign campaign)
    {
        if (Database.CurrentTransaction is not { } tx) return;
        if (!ReferenceEquals(tx, _campaignsReadIn))
        {
            _campaignsRead.Clear();
            _campaignsReadIn = tx;
        }
        _campaignsRead[campaign.Slug] = campaign;
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        ForgetCampaignsIfChanged();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        ForgetCampaignsIfChanged();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    private void ForgetCampaignsIfChanged()
    {
        if (_campaignsRead.Count == 0) return;
        // Entries() detects changes first.
        if (ChangeTracker.Entries().Any(e => e.Entity is Campaign or CampaignCharity && e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted))
            _campaignsRead.Clear();
    }
}
