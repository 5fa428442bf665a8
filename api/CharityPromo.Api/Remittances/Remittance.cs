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
    /// <summary>The bank reference, or the Stripe transfer's id when paid by transfer.</summary>
    public string? Reference { get; set; }
    /// <summary>The Stripe Transfer (tr_…) that paid the batch to the charity's connected account.</summary>
    public string? TransferId { get; set; }
    /// <summary>When finance asked for the transfer: until Stripe answers, the batch cannot be paid by bank or deleted.</summary>
    public DateTime? TransferStartedUtc { get; set; }
    /// <summary>Attempts at the transfer that Stripe refused or did not answer: each later one uses a key with this number.</summary>
    public int TransferAttempts { get; set; }
    /// <summary>What Stripe reversed of the transfer: it is outstanding again, to be paid in a later batch.</summary>
    public long TransferReversed { get; set; }
    public Guid ClientId { get; set; }
    public DateTime CreatedUtc { get; set; }
    public DateTime? PaidUtc { get; set; }

    /// <summary>What reached the charity: the batch less what Stripe reversed of its transfer (that part is owed again).</summary>
    public long PaidToCharity => Amount - TransferReversed;
}

/// <summary>One purchase's share of a batch: its outstanding net pledge, negative when a refund came after it was remitted.</summary>
internal sealed class RemittanceLine
{
    public Guid RemittanceId { get; set; }
    public Guid PurchaseId { get; set; }
    public long Amount { get; set; }
    /// <summary>This line's share of a reversed transfer, outstanding again.</summary>
    public long Reopened { get; set; }
}
