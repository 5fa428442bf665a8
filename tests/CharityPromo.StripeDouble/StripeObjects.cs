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
