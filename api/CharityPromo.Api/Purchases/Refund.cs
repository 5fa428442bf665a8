using CharityPromo.Api.Pledges;

namespace CharityPromo.Api.Purchases;

/// <summary>Money given back to the shopper, and the donation parts it took back with it.</summary>
internal sealed class Refund
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PurchaseId { get; set; }
    /// <summary>The API key that asked for it.</summary>
    public Guid ClientId { get; set; }
    /// <summary>Refunded to the shopper, out of what they paid (purchase + round-up + add-on).</summary>
    public long Amount { get; set; }
    /// <summary>The donation parts it took back.</summary>
    public DonationBreakdown Donation { get; set; } = DonationBreakdown.None;
    public string? Reference { get; set; }
    /// <summary>Stripe's refund id (re_…) for refunds of Stripe payments: each is recorded once, whoever sees it first.</summary>
    public string? StripeRefundId { get; set; }
    /// <summary>
    /// Stripe's status for it as last heard: pending, requires_action, succeeded, failed or canceled. A refund
    /// reverses its share of the donation as soon as Stripe accepts it, pending or not; a failed or canceled one
    /// puts back exactly what it took (<see cref="RestoredUtc"/>). Null for refunds of external payments.
    /// </summary>
    public string? StripeStatus { get; set; }
    /// <summary>When a failed or canceled refund's reversal was put back: then it counts for nothing.</summary>
    public DateTime? RestoredUtc { get; set; }
    public DateTime CreatedUtc { get; set; }

    public long Reversed => Donation.Total;
}
