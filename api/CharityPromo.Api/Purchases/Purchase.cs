using CharityPromo.Api.Pledges;

namespace CharityPromo.Api.Purchases;

/// <summary>Purchase states as the API shows them (snake_case on the wire).</summary>
public enum PurchaseStatus
{
    Pending,
    Confirmed,
    Failed,
    PartiallyRefunded,
    Refunded,
    Disputed,
}

internal sealed class Purchase
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>The API key that recorded it: order ids are unique per client.</summary>
    public Guid ClientId { get; set; }
    public required string OrderId { get; set; }
    public required string ReceiptCode { get; set; }
    public Guid CampaignId { get; set; }
    public Guid CharityId { get; set; }
    public required string Currency { get; set; }
    public long Amount { get; set; }

    public long MerchantPledge { get; set; }
    public long Match { get; set; }
    public long RoundUp { get; set; }
    public long AddOn { get; set; }
    public long DonationTotal { get; set; }

    /// <summary>Money refunded to the shopper so far, out of <see cref="Amount"/> + round-up + add-on.</summary>
    public long Refunded { get; set; }
    public long Reversed { get; set; }

    /// <summary>Net pledge placed in remittance batches (draft or paid); what is left is outstanding.</summary>
    public long Remitted { get; set; }

    public PurchaseStatus Status { get; set; }
    /// <summary>HMAC of the checkout's customer reference; the reference itself is never stored.</summary>
    public string? CustomerHash { get; set; }
    public required string PaymentMethod { get; set; }
    public string? PaymentReference { get; set; }

    public DateTime CreatedUtc { get; set; }
    public DateTime? ConfirmedUtc { get; set; }

    /// <summary>What the shopper pays in all: the purchase plus their own donations.</summary>
    public long AmountPaid => Amount + RoundUp + AddOn;

    public DonationBreakdown Donation => new(Currency, MerchantPledge, Match, RoundUp, AddOn);
}
