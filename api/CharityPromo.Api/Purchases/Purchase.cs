using System.Linq.Expressions;
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

    /// <summary>The pledge as priced when the purchase was recorded; it never changes (reversals are <see cref="Reversed"/>).</summary>
    public DonationBreakdown Donation { get; set; } = DonationBreakdown.None;
    /// <summary><see cref="Donation"/>'s total, stored for the reports and indexes that sum it.</summary>
    public long DonationTotal { get; set; }

    /// <summary>Money refunded to the shopper so far, out of <see cref="Amount"/> + round-up + add-on.</summary>
    public long Refunded { get; set; }
    /// <summary>Of the donation, what refunds and lost disputes took back so far.</summary>
    public long Reversed { get; set; }

    /// <summary>
    /// The money rule of what a purchase gives the charity now: nothing until it is paid (<see cref="Paid"/>), then the
    /// pledge's total less what refunds and lost disputes took back. Defined once, as an expression the database runs
    /// (reports and statements sum it) and C# runs compiled (<see cref="NetPledge"/>).
    /// </summary>
    public static readonly Expression<Func<Purchase, long>> NetGiven = p => p.ConfirmedUtc != null ? p.DonationTotal - p.Reversed : 0;

    /// <summary>Paid, whatever happened since (refunded and disputed ones included): the payment succeeded once.</summary>
    public static readonly Expression<Func<Purchase, bool>> Paid = p => p.ConfirmedUtc != null;

    private static readonly Func<Purchase, long> NetGivenOf = NetGiven.Compile();
    private static readonly Func<Purchase, bool> PaidOf = Paid.Compile();

    /// <summary><see cref="NetGiven"/> of this purchase.</summary>
    public long NetPledge => NetGivenOf(this);

    /// <summary>
    /// Net pledge claimed by remittance batches, draft or paid, less what reversed transfers reopened; what is left is
    /// outstanding. Only a paid batch's share is remitted (<see cref="Ledger.LedgerKind.Remitted"/> in the ledger).
    /// </summary>
    public long InBatches { get; set; }

    public PurchaseStatus Status { get; set; }
    /// <summary>HMAC of the checkout's customer reference; the reference itself is never stored.</summary>
    public string? CustomerHash { get; set; }
    public required string PaymentMethod { get; set; }
    public string? PaymentReference { get; set; }
    /// <summary>"succeeded" for external payments; Stripe's PaymentIntent status, or "not_started" before one exists.</summary>
    public required string PaymentStatus { get; set; }
    public string? PaymentIntentId { get; set; }
    /// <summary>The Stripe Checkout Session (cs_…) the shopper pays on, for purchases paid on Stripe's hosted page.</summary>
    public string? CheckoutSessionId { get; set; }
    /// <summary>Stripe's message for the last failed attempt ("Your card was declined.").</summary>
    public string? PaymentError { get; set; }
    public string? DisputeId { get; set; }
    /// <summary>
    /// Stripe's dispute status: open ones (needs_response, under_review…) hold the pledge; won or lost close it.
    /// Inquiries (warning_needs_response, warning_under_review, warning_closed) take no funds and hold nothing.
    /// </summary>
    public string? DisputeStatus { get; set; }
    /// <summary>What the dispute is for: a lost one reverses the donation's share of it, not always all of it.</summary>
    public long? DisputeAmount { get; set; }

    /// <summary>
    /// The Idempotency-Key and request fingerprint of the Stripe purchase request that created it: a retry
    /// finds this row and resumes the payment with the same Stripe idempotency key.
    /// </summary>
    public string? CreationKey { get; set; }
    public string? CreationFingerprint { get; set; }

    /// <summary>
    /// Attempts at creating the PaymentIntent that got no definite answer from Stripe. Stripe replays a stored error
    /// for the same key for a day, so the next attempt uses a key with this number in it — after looking for a
    /// PaymentIntent an earlier attempt may have made (by our id in its metadata).
    /// </summary>
    public int IntentAttempts { get; set; }
    /// <summary>When the last of those attempts failed: Stripe's search needs a moment to see what it made.</summary>
    public DateTime? IntentAttemptFailedUtc { get; set; }

    public DateTime CreatedUtc { get; set; }
    public DateTime? ConfirmedUtc { get; set; }

    /// <summary>What the shopper pays in all: the purchase plus their own donations.</summary>
    public long AmountPaid => Amount + Donation.RoundUp + Donation.AddOn;

    public bool IsPaid => PaidOf(this);
    /// <summary>The payment was cancelled before it succeeded: the pledge was voided, for good.</summary>
    public bool IsVoided => !IsPaid && PaymentStatus == PaymentStatuses.Canceled;
    public bool HasOpenDispute => DisputeStatus is { } status && !PaymentStatuses.DisputeClosed(status) && !PaymentStatuses.IsInquiry(status);
    /// <summary>Given back to the shopper in all: refunds, and a lost dispute.</summary>
    public long ReturnedToShopper => Refunded + (DisputeStatus == PaymentStatuses.DisputeLost ? DisputeAmount ?? AmountPaid : 0);

    /// <summary>
    /// The status follows from the facts recorded (paid, refunded, disputed), not from the order events came in,
    /// so Stripe events delivered in any order end in the same status.
    /// </summary>
    public PurchaseStatus ResolveStatus() =>
        !IsPaid ? (IsVoided || PaymentError is not null ? PurchaseStatus.Failed : PurchaseStatus.Pending)
        : HasOpenDispute ? PurchaseStatus.Disputed
        : ReturnedToShopper >= AmountPaid ? PurchaseStatus.Refunded
        : ReturnedToShopper > 0 ? PurchaseStatus.PartiallyRefunded
        : PurchaseStatus.Confirmed;
}

/// <summary>The Stripe statuses CharityPromo acts on.</summary>
internal static class PaymentStatuses
{
    public const string NotStarted = "not_started";
    public const string Succeeded = "succeeded";
    public const string Canceled = "canceled";
    public const string RequiresPaymentMethod = "requires_payment_method";
    public const string DisputeWon = "won";
    public const string DisputeLost = "lost";

    public static bool DisputeClosed(string status) => status is DisputeWon or DisputeLost or "warning_closed";
    /// <summary>An inquiry (a "retrieval request"): the bank asks questions; no funds move unless it becomes a dispute.</summary>
    public static bool IsInquiry(string status) => status.StartsWith("warning_", StringComparison.Ordinal);
}
