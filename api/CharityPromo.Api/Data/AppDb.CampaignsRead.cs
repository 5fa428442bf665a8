using System.Data.Common;
using CharityPromo.Api.Campaigns;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CharityPromo.Api.Data;

/// <summary>
/// Campaigns already read in the current write transaction, by slug. A write batch prices many purchases for the
/// same few campaigns; reading each campaign once per batch instead of once per purchase keeps a join off the
/// writer thread for every purchase. Entries belong to the transaction they were read in, so a
/// pooled context never carries them into another; outside a transaction nothing is kept. A save that touches a
/// campaign, its charities or a consent forgets them all. <see cref="Campaign.MatchUsed"/> moves inside a batch: read it fresh.
/// </summary>
internal sealed partial class AppDb
{
    private readonly Dictionary<string, Campaign> _campaignsRead = new(StringComparer.Ordinal);
    private IDbContextTransaction? _campaignsReadIn;

    /// <summary>
    /// The campaign with its charities in display order, untracked, or null: where <see cref="DirectSql.QueryAsync"/> runs a
    /// query (outside a transaction, on SQLite, on a command kept prepared). Pricing (every quote, every purchase once per
    /// write batch) and the public campaign read ask for it. Read by hand rather than by EF, whose compiled query still
    /// opens a connection, compiles the join and closes it again on every call, most of a quote's time. A test holds every mapped column of both entities to EF's own reading.
    /// </summary>
    public async Task<Campaign?> FindCampaignAsync(string slug, SqliteReaders? readers, CancellationToken ct) =>
        await this.QueryAsync(readers, $"""
            SELECT c."Id", c."Slug", c."Name", c."Description", c."Currency", c."Goal", c."StartsUtc", c."EndsUtc",
                   c."PercentBps", c."FixedAmount", c."CapPerPurchase", c."RoundUp", c."AddOn", c."MatchMinPriorPurchases",
                   c."MatchPercentBps", c."MatchBudget", c."MatchUsed", c."CreatedUtc", c."UpdatedUtc",
                   cc."Position", ch."Id", ch."Slug", ch."Name", ch."Description", ch."Website", ch."RegistrationNumber",
                   ch."CreatedUtc", ch."UpdatedUtc", ch."StripeAccountId", ch."StripeTransfersEnabled", ch."StripePayoutsEnabled",
                   c."ImpactAmount", c."ImpactSingular", c."ImpactPlural", c."CampaignCap", c."CapUsed", c."GoalReachedUtc", c."EndAnnouncedUtc"
            FROM "Campaigns" c
            LEFT JOIN "CampaignCharities" cc ON cc."CampaignId" = c."Id"
            LEFT JOIN "Charities" ch ON ch."Id" = cc."CharityId"
            WHERE c."Slug" = {slug}
            ORDER BY cc."Position"
            """, ReadCampaignAsync, ct);

    private static async Task<Campaign?> ReadCampaignAsync(DbDataReader row, CancellationToken ct)
    {
        Campaign? campaign = null;
        while (await row.ReadAsync(ct))
        {
            campaign ??= new Campaign
            {
                Id = row.GetGuid(0), Slug = row.GetString(1), Name = row.GetString(2), Description = row.GetString(3),
                Currency = row.GetString(4), Goal = row.GetInt64(5), StartsUtc = row.GetDateTime(6), EndsUtc = row.GetDateTime(7),
                PercentBps = Int(8), FixedAmount = Long(9), CapPerPurchase = Long(10), RoundUp = row.GetBoolean(11),
                AddOn = row.GetBoolean(12), MatchMinPriorPurchases = Int(13), MatchPercentBps = Int(14), MatchBudget = Long(15),
                MatchUsed = row.GetInt64(16), CreatedUtc = row.GetDateTime(17), UpdatedUtc = row.GetDateTime(18),
                ImpactAmount = Long(31), ImpactSingular = Text(32), ImpactPlural = Text(33), CampaignCap = Long(34), CapUsed = row.GetInt64(35),
                GoalReachedUtc = Time(36), EndAnnouncedUtc = Time(37),
            };
            if (row.IsDBNull(20)) continue; // no charities (the API never stores such a campaign)
            campaign.Charities.Add(new CampaignCharity
            {
                CampaignId = campaign.Id, CharityId = row.GetGuid(20), Position = row.GetInt32(19),
                Charity = new Charity
                {
                    Id = row.GetGuid(20), Slug = row.GetString(21), Name = row.GetString(22), Description = row.GetString(23),
                    Website = Text(24), RegistrationNumber = Text(25), CreatedUtc = row.GetDateTime(26), UpdatedUtc = row.GetDateTime(27),
                    StripeAccountId = Text(28), StripeTransfersEnabled = row.GetBoolean(29), StripePayoutsEnabled = row.GetBoolean(30),
                },
            });
        }
        return campaign;

        int? Int(int i) => row.IsDBNull(i) ? null : row.GetInt32(i);
        long? Long(int i) => row.IsDBNull(i) ? null : row.GetInt64(i);
        string? Text(int i) => row.IsDBNull(i) ? null : row.GetString(i);
        DateTime? Time(int i) => row.IsDBNull(i) ? null : row.GetDateTime(i);
    }

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
        if (ChangeTracker.Entries().Any(e => e.Entity is Campaign or CampaignCharity or Consents.CharityConsent or Consents.CharityConsentCampaign && e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted))
            _campaignsRead.Clear();
    }
}
