using System.Security.Cryptography;

namespace CharityPromo.StripeDouble;

/// <summary>A Stripe error response: status, error object, and whether an idempotent replay stores it.</summary>
public sealed class StripeErrorException(int status, ErrorObject error) : Exception(error.Message)
{
    public int Status { get; } = status;
    public ErrorObject Error { get; } = error;
}

/// <summary>
/// The double's Stripe account, in memory. Every change happens under one lock and raises the events Stripe
/// would raise, in order; <see cref="Raised"/> hands them to the webhook sender.
/// </summary>
public sealed partial class StripeState(TimeProvider clock, string apiVersion)
{
    private readonly Lock _lock = new();
    public Dictionary<string, PaymentIntentObject> Intents { get; } = [];
    public Dictionary<string, ChargeObject> Charges { get; } = [];
    public List<RefundObject> Refunds { get; } = [];
    public Dictionary<string, DisputeObject> Disputes { get; } = [];
    public List<EventObject> Events { get; } = [];

    /// <summary>Called with each new event, outside the lock.</summary>
    public event Action<EventObject>? Raised;

    private static readonly Dictionary<string, long> Minimums = new() { ["usd"] = 50, ["eur"] = 50, ["gbp"] = 30, ["jpy"] = 50 };

    public T Locked<T>(Func<List<EventObject>, T> change)
    {
        var raised = new List<EventObject>();
        try
        {
            lock (_lock) return change(raised);
        }
        finally
        {
            foreach (var e in raised) Raised?.Invoke(e); // a decline still raises payment_intent.payment_failed
        }
    }

    public PaymentIntentObject CreateIntent(long amount, string currency, Dictionary<string, string> metadata, string? description, string? paymentMethod, bool confirm) =>
        Locked(raised =>
        {
            if (amount < Minimums.GetValueOrDefault(currency, 1))
                throw new ParamException("amount", $"Amount must be at least {Minimums[currency]} {currency}", "amount_too_small");
            var id = NewId("pi");
            var intent = new PaymentIntentObject
            {
                Id = id, Amount = amount, Currency = currency, ClientSecret = $"{id}_secret_{Random(24)}", Metadata = metadata,
                Description = description, Created = Now, PaymentMethod = paymentMethod,
            };
            Intents[id] = intent;
            Raise(raised, "payment_intent.created", intent);
            if (confirm) ConfirmLocked(raised, intent, paymentMethod ?? throw new ParamException("payment_method", "You must provide a payment method to confirm."));
            return intent;
        });

    public PaymentIntentObject Confirm(string id, string? paymentMethod) => Locked(raised =>
    {
        var intent = Intent(id);
        if (intent.Status is not ("requires_payment_method" or "requires_confirmation"))
            throw new StripeErrorException(400, new ErrorObject { Type = "invalid_request_error", Code = "payment_intent_unexpected_state", Message = $"This PaymentIntent's status is {intent.Status}." });
        ConfirmLocked(raised, intent, paymentMethod ?? intent.PaymentMethod ?? throw new ParamException("payment_method", "You must provide a payment method to confirm."));
        return intent;
    });

    private void ConfirmLocked(List<EventObject> raised, PaymentIntentObject intent, string paymentMethod)
    {
        intent.PaymentMethod = paymentMethod;
        intent.LastPaymentError = null;
        switch (paymentMethod)
        {
            case "pm_card_visa" or "pm_card_refundFail":
                SucceedLocked(raised, intent);
                break;
            case "pm_card_authenticationRequired":
                intent.Status = "requires_action";
                intent.NextAction = new() { ["type"] = "use_stripe_sdk" };
                Raise(raised, "payment_intent.requires_action", intent);
                break;
            case "pm_card_chargeDeclined" or "pm_card_chargeDeclinedInsufficientFunds" or "pm_card_chargeDeclinedStolenCard"
                or "pm_card_chargeDeclinedLostCard" or "pm_card_chargeDeclinedFraudulent":
                // Stripe's test cards: the decline code each one answers, and Stripe's message, which names none of the fraud signals.
                var declineCode = paymentMethod switch
                {
                    "pm_card_chargeDeclinedInsufficientFunds" => "insufficient_funds",
                    "pm_card_chargeDeclinedStolenCard" => "stolen_card",
                    "pm_card_chargeDeclinedLostCard" => "lost_card",
                    "pm_card_chargeDeclinedFraudulent" => "fraudulent",
                    _ => "generic_decline",
                };
                intent.Status = "requires_payment_method";
                intent.LastPaymentError = new ErrorObject
                {
                    Type = "card_error", Code = "card_declined", DeclineCode = declineCode,
                    Message = declineCode == "insufficient_funds" ? "Your card has insufficient funds." : "Your card was declined.",
                };
                Raise(raised, "payment_intent.payment_failed", intent);
                throw new StripeErrorException(402, new ErrorObject
                {
                    Type = "card_error", Code = "card_declined", DeclineCode = intent.LastPaymentError.DeclineCode,
                    Message = intent.LastPaymentError.Message, PaymentIntent = Snapshot(intent),
                });
            default:
                throw new StripeErrorException(400, new ErrorObject
                {
                    Type = "invalid_request_error", Code = "resource_missing", Param = "payment_method", Message = $"No such PaymentMethod: '{paymentMethod}'",
                });
        }
    }

    /// <summary>The shopper completed 3-D Secure (or gave up, when <paramref name="succeed"/> is false).</summary>
    public PaymentIntentObject CompleteAction(string id, bool succeed) => Locked(raised =>
    {
        var intent = Intent(id);
        intent.NextAction = null;
        if (succeed) SucceedLocked(raised, intent);
        else
        {
            intent.Status = "requires_payment_method";
            intent.LastPaymentError = new ErrorObject { Type = "card_error", Code = "payment_intent_authentication_failure", Message = "The shopper did not authenticate." };
            Raise(raised, "payment_intent.payment_failed", intent);
        }
        return intent;
    });

    private void SucceedLocked(List<EventObject> raised, PaymentIntentObject intent)
    {
        var charge = new ChargeObject { Id = NewId("ch"), Amount = intent.Amount, Currency = intent.Currency, PaymentIntent = intent.Id, Metadata = intent.Metadata, Created = Now };
        Charges[charge.Id] = charge;
        AddToBalance(charge.Currency, charge.Amount);
        intent.Status = "succeeded";
        intent.LatestCharge = charge.Id;
        Raise(raised, "charge.succeeded", charge);
        Raise(raised, "payment_intent.succeeded", intent);
    }

    public PaymentIntentObject Cancel(string id) => Locked(raised =>
    {
        var intent = Intent(id);
        if (intent.Status is "succeeded" or "canceled")
            throw new StripeErrorException(400, new ErrorObject { Type = "invalid_request_error", Code = "payment_intent_unexpected_state", Message = $"You cannot cancel this PaymentIntent because it has a status of {intent.Status}." });
        intent.Status = "canceled";
        Raise(raised, "payment_intent.canceled", intent);
        return intent;
    });

    public RefundObject Refund(string paymentIntent, long? amount, Dictionary<string, string> metadata) => Locked(raised =>
    {
        var intent = Intent(paymentIntent, "payment_intent");
        if (intent.LatestCharge is null || !Charges.TryGetValue(intent.LatestCharge, out var charge))
            throw new StripeErrorException(400, new ErrorObject { Type = "invalid_request_error", Code = "charge_not_refundable", Message = "This PaymentIntent does not have a successful charge to refund." });
        if (charge.Disputed)
            throw new StripeErrorException(400, new ErrorObject { Type = "invalid_request_error", Code = "charge_disputed", Message = $"Charge {charge.Id} has been disputed and cannot be refunded." });
        var left = charge.Amount - charge.AmountRefunded;
        var refunding = amount ?? left;
        if (left == 0)
            throw new StripeErrorException(400, new ErrorObject { Type = "invalid_request_error", Code = "charge_already_refunded", Message = $"Charge {charge.Id} has already been refunded." });
        if (refunding > left || refunding <= 0)
            throw new ParamException("amount", $"Refund amount ({refunding}) is greater than unrefunded amount on charge ({left})", "amount_too_large");
        var refund = new RefundObject
        {
            Id = NewId("re"), Amount = refunding, Currency = charge.Currency, Charge = charge.Id, PaymentIntent = intent.Id, Metadata = metadata, Created = Now,
            Status = RefundsEndAtOnceAs ?? (RefundsStartPending ? "pending" : "succeeded"),
        };
        Refunds.Add(refund);
        if (RefundsEndAtOnceAs is not null)
        {
            if (RefundsEndAtOnceAs == "failed") refund.FailureReason = "unknown";
            Raise(raised, "refund.created", refund);
            Raise(raised, RefundsEndAtOnceAs == "failed" ? "refund.failed" : "refund.updated", refund);
            return refund;
        }
        charge.AmountRefunded += refunding;
        AddToBalance(charge.Currency, -refunding);
        Raise(raised, "refund.created", refund);
        Raise(raised, "charge.refunded", charge);
        return refund;
    });

    /// <summary>Refunds are created <c>pending</c>, as Stripe's are for many payment methods, until <see cref="SettleRefund"/>.</summary>
    public bool RefundsStartPending { get; set; }

    /// <summary>Refunds are created <c>failed</c> or <c>canceled</c> (Stripe can answer so at once): nothing goes back to the shopper.</summary>
    public string? RefundsEndAtOnceAs { get; set; }

    /// <summary>
    /// A refund's outcome arrives: a pending one succeeds or fails; a succeeded one can still fail (Stripe's test card
    /// <c>pm_card_refundFail</c> does so). A failed refund gives the charge its amount back.
    /// </summary>
    public RefundObject SettleRefund(string refundId, bool succeed) => Locked(raised =>
    {
        var refund = Refunds.Single(r => r.Id == refundId);
        if (refund.Status is "failed" or "canceled" || (succeed && refund.Status == "succeeded"))
            throw new InvalidOperationException($"Refund {refundId} is {refund.Status} already.");
        var charge = Charges[refund.Charge];
        refund.Status = succeed ? "succeeded" : "failed";
        if (!succeed)
        {
            refund.FailureReason = "expired_or_canceled_card";
            charge.AmountRefunded -= refund.Amount;
            AddToBalance(charge.Currency, refund.Amount);
            Raise(raised, "refund.failed", refund);
        }
        Raise(raised, "refund.updated", refund);
        Raise(raised, "charge.refund.updated", refund);
        return refund;
    });

    /// <summary>
    /// The shopper's bank disputes the charge: for <paramref name="amount"/> (default: all not yet refunded), or as an
    /// inquiry (<c>warning_needs_response</c>), which takes no funds. A dispute takes the funds at once
    /// (<c>charge.dispute.funds_withdrawn</c>).
    /// </summary>
    public DisputeObject OpenDispute(string paymentIntent, long? amount = null, bool inquiry = false) => Locked(raised =>
    {
        var charge = Charges[Intent(paymentIntent).LatestCharge ?? throw new InvalidOperationException("Only a paid intent can be disputed.")];
        charge.Disputed = true;
        var dispute = new DisputeObject
        {
            Id = NewId("dp"), Amount = amount ?? charge.Amount - charge.AmountRefunded, Currency = charge.Currency, Charge = charge.Id,
            PaymentIntent = paymentIntent, Created = Now, Status = inquiry ? "warning_needs_response" : "needs_response",
        };
        Disputes[dispute.Id] = dispute;
        Raise(raised, "charge.dispute.created", dispute);
        if (!inquiry) Raise(raised, "charge.dispute.funds_withdrawn", dispute);
        return dispute;
    });

    /// <summary>The merchant answered: <c>under_review</c> (or <c>warning_under_review</c> for an inquiry).</summary>
    public DisputeObject SubmitEvidence(string disputeId) => Locked(raised =>
    {
        var dispute = Disputes[disputeId];
        dispute.Status = dispute.Status.StartsWith("warning_", StringComparison.Ordinal) ? "warning_under_review" : "under_review";
        Raise(raised, "charge.dispute.updated", dispute);
        return dispute;
    });

    /// <summary>Decided: won (the funds come back) or lost; an inquiry closes as <c>warning_closed</c> either way.</summary>
    public DisputeObject CloseDispute(string disputeId, bool won) => Locked(raised =>
    {
        var dispute = Disputes[disputeId];
        var inquiry = dispute.Status.StartsWith("warning_", StringComparison.Ordinal);
        dispute.Status = inquiry ? "warning_closed" : won ? "won" : "lost";
        Raise(raised, "charge.dispute.closed", dispute);
        if (!inquiry && won) Raise(raised, "charge.dispute.funds_reinstated", dispute);
        return dispute;
    });

    public PaymentIntentObject Intent(string id, string param = "id") =>
        Intents.TryGetValue(id, out var intent) ? intent
        : throw new StripeErrorException(404, new ErrorObject { Type = "invalid_request_error", Code = "resource_missing", Param = param, Message = $"No such payment_intent: '{id}'" });

    private long Now => clock.GetUtcNow().ToUnixTimeSeconds();

    private void Raise(List<EventObject> raised, string type, object snapshotOf, string? account = null)
    {
        var e = new EventObject
        {
            Id = NewId("evt"), Account = account, ApiVersion = apiVersion, Created = Now, Type = type, Data = new EventDataObject { Object = Snapshot(snapshotOf) },
        };
        Events.Add(e);
        raised.Add(e);
    }

    /// <summary>A deep copy, as JSON would make it: an event keeps the object as it was.</summary>
    private static T Snapshot<T>(T value) where T : notnull =>
        (T)System.Text.Json.JsonSerializer.Deserialize(System.Text.Json.JsonSerializer.Serialize(value, value.GetType(), StripeDouble.Json), value.GetType(), StripeDouble.Json)!;

    private static string NewId(string prefix) => $"{prefix}_{Random(24)}";

    private static string Random(int length) => RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", length);
}
