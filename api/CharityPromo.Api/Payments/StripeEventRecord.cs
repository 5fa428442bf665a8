namespace CharityPromo.Api.Payments;

/// <summary>A Stripe event already handled: its id is the key, so a redelivery is acknowledged and ignored.</summary>
internal sealed class StripeEventRecord
{
    public required string Id { get; set; }
    public required string Type { get; set; }
    /// <summary>When Stripe created the event.</summary>
    public DateTime CreatedUtc { get; set; }
    public DateTime ReceivedUtc { get; set; }
    /// <summary>What handling it did, for support ("confirmed purchase …", "no purchase for pi_…").</summary>
    public required string Outcome { get; set; }
}
