using System.Text.Json;

namespace CharityPromo.Api.Payments.Stripe;

// The subset of Stripe's objects CharityPromo reads, named as in Stripe.net. JSON is snake_case (StripeClient.Json).

internal sealed class PaymentIntent
{
    public required string Id { get; set; }
    public long Amount { get; set; }
    public required string Currency { get; set; }
    /// <summary>requires_payment_method, requires_confirmation, requires_action, processing, requires_capture, canceled, succeeded.</summary>
    public required string Status { get; set; }
    /// <summary>For Stripe.js on the checkout page; handed on, never logged or stored.</summary>
    public string? ClientSecret { get; set; }
    public string? LatestCharge { get; set; }
    public long Created { get; set; }
    public Dictionary<string, string> Metadata { get; set; } = [];
    public StripeError? LastPaymentError { get; set; }
}

internal sealed class Refund
{
    public required string Id { get; set; }
    public long Amount { get; set; }
    public required string Currency { get; set; }
    public string? PaymentIntent { get; set; }
    /// <summary>pending, requires_action, succeeded, failed, canceled.</summary>
    public required string Status { get; set; }
    public Dictionary<string, string> Metadata { get; set; } = [];
}

internal sealed class Charge
{
    public required string Id { get; set; }
    public long Amount { get; set; }
    /// <summary>Cumulative: everything refunded on this charge so far.</summary>
    public long AmountRefunded { get; set; }
    public string? PaymentIntent { get; set; }
    public Dictionary<string, string> Metadata { get; set; } = [];
}

internal sealed class Dispute
{
    public required string Id { get; set; }
    public long Amount { get; set; }
    public string? Charge { get; set; }
    public string? PaymentIntent { get; set; }
    /// <summary>warning_needs_response, warning_under_review, warning_closed, needs_response, under_review, won, lost.</summary>
    public required string Status { get; set; }
}

internal sealed class Event
{
    public required string Id { get; set; }
    public required string Type { get; set; }
    public long Created { get; set; }
    public string? ApiVersion { get; set; }
    public required EventData Data { get; set; }

    /// <summary>The event's object as the type its event type says it is.</summary>
    public T Object<T>() => Data.Object.Deserialize<T>(StripeClient.Json)
        ?? throw new StripeException(0, null, new StripeError { Type = "invalid_event", Message = $"Event {Id} has no data.object." });
}

internal sealed class EventData
{
    public JsonElement Object { get; set; }
}

internal sealed class StripeList<T>
{
    public List<T> Data { get; set; } = [];
    public bool HasMore { get; set; }
}

/// <summary>Stripe's error object (the body's "error").</summary>
internal sealed class StripeError
{
    /// <summary>api_error, card_error, idempotency_error, invalid_request_error.</summary>
    public string? Type { get; set; }
    public string? Code { get; set; }
    public string? DeclineCode { get; set; }
    public string? Message { get; set; }
    public string? Param { get; set; }
    /// <summary>On card errors: the PaymentIntent as the failure left it.</summary>
    public PaymentIntent? PaymentIntent { get; set; }
}

internal sealed class StripeErrorBody
{
    public StripeError? Error { get; set; }
}

/// <summary>A request Stripe refused or could not be reached for, with what Stripe said about it.</summary>
internal sealed class StripeException(int httpStatus, string? requestId, StripeError error, Exception? inner = null)
    : Exception(error.Message ?? $"Stripe answered {httpStatus}.", inner)
{
    /// <summary>0 when Stripe could not be reached at all.</summary>
    public int HttpStatus { get; } = httpStatus;
    public string? RequestId { get; } = requestId;
    public StripeError StripeError { get; } = error;

    public bool IsCardError => StripeError.Type == "card_error";
    /// <summary>Nothing definite came back (network, timeout, 5xx): the request may be retried with the same idempotency key.</summary>
    public bool IsTransient => HttpStatus is 0 or 409 or 429 or >= 500;
}
