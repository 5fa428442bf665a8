using System.Text.Json.Serialization;

namespace CharityPromo.StripeDouble;

// Stripe's objects as its API writes them (snake_case, nulls included), only the fields the double keeps.

public sealed class PaymentIntentObject
{
    public required string Id { get; init; }
    public string Object => "payment_intent";
    public long Amount { get; init; }
    public required string Currency { get; init; }
    public string Status { get; set; } = "requires_payment_method";
    public required string ClientSecret { get; init; }
    public string? PaymentMethod { get; set; }
    public string? LatestCharge { get; set; }
    public string? Description { get; init; }
    public long Created { get; init; }
    public Dictionary<string, string> Metadata { get; init; } = [];
    public ErrorObject? LastPaymentError { get; set; }
    public Dictionary<string, object>? NextAction { get; set; }
    public bool Livemode => false;
}

public sealed class ChargeObject
{
    public required string Id { get; init; }
    public string Object => "charge";
    public long Amount { get; init; }
    public long AmountRefunded { get; set; }
    public bool Refunded => AmountRefunded >= Amount;
    public required string Currency { get; init; }
    public required string PaymentIntent { get; init; }
    public bool Disputed { get; set; }
    public Dictionary<string, string> Metadata { get; init; } = [];
    public long Created { get; init; }
}

public sealed class RefundObject
{
    public required string Id { get; init; }
    public string Object => "refund";
    public long Amount { get; init; }
    public required string Currency { get; init; }
    public required string Charge { get; init; }
    public required string PaymentIntent { get; init; }
    /// <summary>pending, requires_action, succeeded, failed or canceled.</summary>
    public string Status { get; set; } = "succeeded";
    /// <summary>Why a failed refund failed (expired_or_canceled_card, lost_or_stolen_card, unknown).</summary>
    public string? FailureReason { get; set; }
    public Dictionary<string, string> Metadata { get; init; } = [];
    public long Created { get; init; }
}

public sealed class DisputeObject
{
    public required string Id { get; init; }
    public string Object => "dispute";
    public long Amount { get; init; }
    public required string Currency { get; init; }
    public required string Charge { get; init; }
    public required string PaymentIntent { get; init; }
    public string Status { get; set; } = "needs_response";
    public string Reason { get; init; } = "fraudulent";
    public long Created { get; init; }
}

public sealed class EventObject
{
    public required string Id { get; init; }
    public string Object => "event";
    /// <summary>The connected account an event happened on (Connect events only).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Account { get; init; }
    public required string ApiVersion { get; init; }
    public long Created { get; init; }
    public required string Type { get; init; }
    public required EventDataObject Data { get; init; }
    public bool Livemode => false;
    public int PendingWebhooks => 1;
}

public sealed class EventDataObject
{
    /// <summary>A snapshot of the object when the event happened, not a live reference.</summary>
    public required object Object { get; init; }
}

public sealed class ErrorObject
{
    public required string Type { get; init; }
    public string? Code { get; init; }
    public string? DeclineCode { get; init; }
    public required string Message { get; init; }
    public string? Param { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PaymentIntentObject? PaymentIntent { get; init; }
}

public sealed class ListObject<T>
{
    public string Object => "list";
    public required List<T> Data { get; init; }
    public bool HasMore { get; init; }
    public required string Url { get; init; }
}

public sealed class AccountObject
{
    public required string Id { get; init; }
    public string Object => "account";
    public string? Type { get; init; }
    public required string Country { get; init; }
    public string? Email { get; init; }
    public bool ChargesEnabled { get; set; }
    public bool PayoutsEnabled { get; set; }
    public bool DetailsSubmitted { get; set; }
    /// <summary>Each requested capability: inactive, pending or active.</summary>
    public Dictionary<string, string> Capabilities { get; init; } = [];
    public Dictionary<string, string> Metadata { get; init; } = [];
    public long Created { get; init; }
}

public sealed class AccountLinkObject
{
    public string Object => "account_link";
    public long Created { get; init; }
    public long ExpiresAt { get; init; }
    public required string Url { get; init; }
}

public sealed class TransferObject
{
    public required string Id { get; init; }
    public string Object => "transfer";
    public long Amount { get; init; }
    public long AmountReversed { get; set; }
    public bool Reversed => AmountReversed >= Amount;
    public required string Currency { get; init; }
    public required string Destination { get; init; }
    public string? Description { get; init; }
    public string? TransferGroup { get; init; }
    public Dictionary<string, string> Metadata { get; init; } = [];
    public long Created { get; init; }
    public required ListObject<TransferReversalObject> Reversals { get; init; }
    public bool Livemode => false;
}

public sealed class TransferReversalObject
{
    public required string Id { get; init; }
    public string Object => "transfer_reversal";
    public long Amount { get; init; }
    public required string Currency { get; init; }
    public required string Transfer { get; init; }
    public Dictionary<string, string> Metadata { get; init; } = [];
    public long Created { get; init; }
}

public sealed class CheckoutSessionObject
{
    public required string Id { get; init; }
    public string Object => "checkout.session";
    public string Mode => "payment";
    /// <summary>open, complete or expired.</summary>
    public string Status { get; set; } = "open";
    /// <summary>unpaid, or paid once the payment succeeded.</summary>
    public string PaymentStatus { get; set; } = "unpaid";
    public long AmountSubtotal { get; init; }
    public long AmountTotal { get; init; }
    public required string Currency { get; init; }
    /// <summary>Stripe's hosted page, while the session is open.</summary>
    public string? Url { get; set; }
    public required string SuccessUrl { get; init; }
    public string? CancelUrl { get; init; }
    public string? ClientReferenceId { get; init; }
    public Dictionary<string, string> Metadata { get; init; } = [];
    public string? PaymentIntent { get; set; }
    public long ExpiresAt { get; init; }
    public long Created { get; init; }
    public bool Livemode => false;
}

/// <summary>A line of a Checkout Session as the shopper sees it on the hosted page.</summary>
public sealed record CheckoutLine(string Name, long UnitAmount, long Quantity, string Currency);
