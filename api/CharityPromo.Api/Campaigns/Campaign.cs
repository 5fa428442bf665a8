using CharityPromo.Api.Pledges;

namespace CharityPromo.Api.Campaigns;

internal sealed class Campaign
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Slug { get; set; }
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public required string Currency { get; set; }
    public long Goal { get; set; }
    public DateTime StartsUtc { get; set; }
    public DateTime EndsUtc { get; set; }

    public int? PercentBps { get; set; }
    public long? FixedAmount { get; set; }
    public long? CapPerPurchase { get; set; }
    public bool RoundUp { get; set; }
    public bool AddOn { get; set; }

    /// <summary>The most the shop's pledge (merchant pledge) gives over the whole campaign, in minor units; null for no limit.</summary>
    public long? CampaignCap { get; set; }
    /// <summary>
    /// Merchant pledge held against <see cref="CampaignCap"/>: what live purchases pledged, less what refunds, lost disputes
    /// and voids gave back. Kept only while there is a cap; only ever raised by a conditional update, like <see cref="MatchUsed"/>.
    /// </summary>
    public long CapUsed { get; set; }

    /// <summary>What is left of <see cref="CampaignCap"/> (never below 0: a lowered cap or a restored refund can pass it); null without a cap.</summary>
    public long? MerchantCapLeft => CapLeft(CampaignCap, CapUsed);

    public static long? CapLeft(long? cap, long used) => cap is { } limit ? Math.Max(0, limit - used) : null;

    public int? MatchMinPriorPurchases { get; set; }
    public int? MatchPercentBps { get; set; }
    public long? MatchBudget { get; set; }
    /// <summary>Match pledged so far; only ever raised by a conditional update, so the budget holds under concurrency.</summary>
    public long MatchUsed { get; set; }

    /// <summary>What one unit of money does ("500 minor units buy a book"), for shoppers; all three or none.</summary>
    public long? ImpactAmount { get; set; }
    public string? ImpactSingular { get; set; }
    public string? ImpactPlural { get; set; }

    public DateTime CreatedUtc { get; set; }
    public DateTime UpdatedUtc { get; set; }
    /// <summary>When the raised total first reached the goal (campaign.goal_reached was written then); never cleared.</summary>
    public DateTime? GoalReachedUtc { get; set; }
    /// <summary>When campaign.ended was written for this campaign, once, after its end.</summary>
    public DateTime? EndAnnouncedUtc { get; set; }

    public List<CampaignCharity> Charities { get; set; } = [];

    /// <summary>Not stored: the charities a consent covers, as read for pricing once per write transaction (DonationPricer).</summary>
    public HashSet<Guid>? ConsentedCharities { get; set; }

    public PledgeRule Rule => new(
        PercentBps, FixedAmount, CapPerPurchase, RoundUp, AddOn,
        MatchPercentBps is { } bps ? new MatchRule(MatchMinPriorPurchases ?? 0, bps, MatchBudget ?? 0) : null);

    /// <summary>Where the campaign stands at <paramref name="utc"/>: it takes purchases only while active, from its start to its end.</summary>
    public CampaignPhase PhaseAt(DateTime utc) => utc < StartsUtc ? CampaignPhase.Upcoming : utc < EndsUtc ? CampaignPhase.Active : CampaignPhase.Ended;
}

public enum CampaignPhase
{
    Upcoming,
    Active,
    Ended,
}

/// <summary>A charity a campaign supports; the position keeps the order the admin gave.</summary>
internal sealed class CampaignCharity
{
    public Guid CampaignId { get; set; }
    public Guid CharityId { get; set; }
    public int Position { get; set; }
    public Charity Charity { get; set; } = null!;
}
