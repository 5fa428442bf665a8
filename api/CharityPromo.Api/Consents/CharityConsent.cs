using System.Linq.Expressions;
using CharityPromo.Api.Campaigns;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Consents;

/// <summary>
/// A charity's consent to promotions in its name (California AB 488, Hawaii's written consent): who gave it, when, the
/// document that records it, for which campaigns (none listed = all) and until when. Withdrawing it ends it; the row stays.
/// </summary>
internal sealed class CharityConsent
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CharityId { get; set; }
    public required string GrantedBy { get; set; }
    public DateTime GrantedUtc { get; set; }
    /// <summary>Where the signed consent is kept (a URL); null only for the consents migration 0013 recorded for campaigns already running.</summary>
    public string? Document { get; set; }
    /// <summary>True when no campaigns were listed: the consent covers every campaign of the charity, later ones too.</summary>
    public bool AllCampaigns { get; set; }
    public DateTime? ExpiresUtc { get; set; }
    public DateTime? WithdrawnUtc { get; set; }
    public DateTime CreatedUtc { get; set; }
    public List<CharityConsentCampaign> Campaigns { get; set; } = [];
}

/// <summary>A campaign a consent names.</summary>
internal sealed class CharityConsentCampaign
{
    public Guid ConsentId { get; set; }
    public Guid CampaignId { get; set; }
}

/// <summary>A campaign's charity beside one of that charity's consents, for <see cref="Consents.Covering"/>.</summary>
internal sealed class ConsentOfLink
{
    public required CampaignCharity Link { get; init; }
    public required CharityConsent Consent { get; init; }
}

internal static class Consents
{
    /// <summary>
    /// The one rule of what a consent covers, in a form the database runs: the moment is within [granted, expires) and
    /// before any withdrawal, and the consent names the campaign or names none.
    /// </summary>
    public static Expression<Func<ConsentOfLink, bool>> Covering(DateTime at) => x =>
        x.Consent.GrantedUtc <= at
        && (x.Consent.ExpiresUtc == null || at < x.Consent.ExpiresUtc)
        && (x.Consent.WithdrawnUtc == null || at < x.Consent.WithdrawnUtc)
        && (x.Consent.AllCampaigns || x.Consent.Campaigns.Any(c => c.CampaignId == x.Link.CampaignId));

    /// <summary>
    /// At every start, names the charities still selling under a consent migration 0013 recorded for their running
    /// campaigns (the only consents without a document), so that replacing them with signed ones is not forgotten.
    /// </summary>
    public static async Task<int> WarnOfGrandfatheredAsync(Data.AppDb db, ILogger logger, CancellationToken ct)
    {
        var charities = await db.CharityConsents.AsNoTracking().Where(k => k.Document == null && k.WithdrawnUtc == null)
            .Join(db.Charities, k => k.CharityId, c => c.Id, (k, c) => c.Slug).OrderBy(s => s).ToListAsync(ct);
        if (charities.Count > 0)
            logger.LogWarning("{Count} charities sell under a consent grandfathered at the upgrade (migration 0013), not a signed one: {Charities}. "
                + "Record their signed consents and withdraw these (docs/OPERATIONS.md, Upgrading).", charities.Count, string.Join(", ", charities));
        return charities.Count;
    }

    /// <summary>The (campaign, charity) pairs of these campaigns that a consent covers at <paramref name="at"/>.</summary>
    public static async Task<HashSet<(Guid CampaignId, Guid CharityId)>> CoveredAsync(
        Data.AppDb db, IReadOnlyCollection<Guid> campaignIds, DateTime at, CancellationToken ct)
    {
        var pairs = await db.CampaignCharities.AsNoTracking()
            .Where(cc => campaignIds.Contains(cc.CampaignId))
            .SelectMany(cc => db.CharityConsents.Where(k => k.CharityId == cc.CharityId), (cc, k) => new ConsentOfLink { Link = cc, Consent = k })
            .Where(Covering(at))
            .Select(x => new { x.Link.CampaignId, x.Link.CharityId })
            .Distinct()
            .ToListAsync(ct);
        return pairs.Select(p => (p.CampaignId, p.CharityId)).ToHashSet();
    }
}
