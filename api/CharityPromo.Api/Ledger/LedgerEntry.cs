using CharityPromo.Api.Pledges;

namespace CharityPromo.Api.Ledger;

public enum LedgerKind
{
    /// <summary>A purchase recorded its donation; it is pending until paid.</summary>
    Pledged,
    /// <summary>The payment succeeded: pending becomes raised.</summary>
    Confirmed,
    /// <summary>The payment failed or was cancelled: the pending pledge is dropped.</summary>
    Voided,
    /// <summary>A refund or lost dispute took (part of) a confirmed donation back.</summary>
    Reversed,
    /// <summary>Paid out to the charity in a remittance batch (negative when a later reversal carries forward).</summary>
    Remitted,
}

/// <summary>
/// One money movement. Rows are only ever added; the unique (purchase, kind, cause) key makes the
/// database refuse to count the same movement twice.
/// </summary>
internal sealed class LedgerEntry
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PurchaseId { get; set; }
    public Guid CampaignId { get; set; }
    public Guid CharityId { get; set; }
    public required string Currency { get; set; }
    public LedgerKind Kind { get; set; }
    /// <summary>The donation parts it moves; none for a remittance, which moves only <see cref="Amount"/>.</summary>
    public DonationBreakdown Donation { get; set; } = DonationBreakdown.None;
    public long Amount { get; set; }
    /// <summary>
    /// What the movement is, unique per purchase and kind: "purchase" for the one pledge, confirmation or
    /// void a purchase can have; "refund:{id}" or "dispute:{id}" for each reversal.
    /// </summary>
    public required string Cause { get; set; }
    /// <summary>Where it came from, for audit: "external:POS-77", a Stripe event id, an API client.</summary>
    public string? Reference { get; set; }
    public DateTime CreatedUtc { get; set; }
}
