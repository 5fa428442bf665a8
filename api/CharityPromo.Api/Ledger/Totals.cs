namespace CharityPromo.Api.Ledger;

/// <summary>Running totals per campaign × charity × currency, kept in step with the ledger in the same transaction.</summary>
internal sealed class CampaignTotal
{
    public Guid CampaignId { get; set; }
    public Guid CharityId { get; set; }
    public required string Currency { get; set; }
    public long Pending { get; set; }
    public long Confirmed { get; set; }
    public long Reversed { get; set; }
    /// <summary>Purchases whose donation was confirmed.</summary>
    public long Purchases { get; set; }
    /// <summary>What of it has been paid to the charity: the ledger's remitted entries (paid batches less reversed transfers).</summary>
    public long Remitted { get; set; }

    public long Raised => Confirmed - Reversed;
}

/// <summary>Confirmed and reversed amounts per campaign and UTC day, for the progress-over-time series.</summary>
internal sealed class DailyTotal
{
    public Guid CampaignId { get; set; }
    public DateOnly Day { get; set; }
    public long Confirmed { get; set; }
    public long Reversed { get; set; }
    public long Purchases { get; set; }
}
