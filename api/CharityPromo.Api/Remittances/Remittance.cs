namespace CharityPromo.Api.Remittances;

public enum RemittanceStatus
{
    Draft,
    Paid,
}

/// <summary>A batch of net pledges owed to one charity in one currency, gathered up to a cutoff.</summary>
internal sealed class Remittance
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CharityId { get; set; }
    public required string Currency { get; set; }
    public DateTime CutoffUtc { get; set; }
    public RemittanceStatus Status { get; set; }
    /// <summary>Σ lines: what is paid to the charity (lower when earlier reversals carry forward).</summary>
    public long Amount { get; set; }
    public int Lines { get; set; }
    public string? Reference { get; set; }
    public Guid ClientId { get; set; }
    public DateTime CreatedUtc { get; set; }
    public DateTime? PaidUtc { get; set; }
}

/// <summary>One purchase's share of a batch: its outstanding net pledge, negative when a refund came after it was remitted.</summary>
internal sealed class RemittanceLine
{
    public Guid RemittanceId { get; set; }
    public Guid PurchaseId { get; set; }
    public long Amount { get; set; }
}
