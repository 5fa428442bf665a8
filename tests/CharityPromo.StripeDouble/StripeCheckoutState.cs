namespace CharityPromo.StripeDouble;

/// <summary>Stripe Checkout: hosted payment pages (Checkout Sessions in <c>payment</c> mode) and what paying on them does.</summary>
public sealed partial class StripeState
{
    public Dictionary<string, CheckoutSessionObject> Sessions { get; } = [];
    /// <summary>Each session's lines, as the shopper sees them on the page.</summary>
    public Dictionary<string, List<CheckoutLine>> SessionLines { get; } = [];
    /// <summary>The metadata each session gives the PaymentIntent it makes (<c>payment_intent_data[metadata]</c>).</summary>
    private readonly Dictionary<string, Dictionary<string, string>> _intentMetadata = [];

    /// <summary>Where the double serves its hosted pages (its own base URL).</summary>
    public string PagesBase { get; set; } = "http://127.0.0.1";

    public CheckoutSessionObject CreateSession(List<CheckoutLine> lines, string successUrl, string? cancelUrl, string? clientReferenceId,
        Dictionary<string, string> metadata, Dictionary<string, string> intentMetadata, long? expiresAt) => Locked(_ =>
    {
        if (lines.Count == 0) throw new ParamException("line_items", "You must provide at least one line item.", "parameter_missing");
        if (lines.Select(l => l.Currency).Distinct().Count() > 1)
            throw new ParamException("line_items", "All line items must have the same currency.");
        var total = lines.Sum(l => l.UnitAmount * l.Quantity);
        var currency = lines[0].Currency;
        if (total < Minimums.GetValueOrDefault(currency, 1))
            throw new ParamException("line_items", $"The Checkout Session's total amount due must add up to at least {Minimums[currency]} {currency}", "amount_too_small");
        if (expiresAt is { } at && (at < Now + 30 * 60 || at > Now + 24 * 3600))
            throw new ParamException("expires_at", "The expires_at timestamp must be between 30 minutes and 24 hours from Checkout Session creation.");
        var id = $"cs_test_{Random(58)}";
        var session = new CheckoutSessionObject
        {
            Id = id, AmountSubtotal = total, AmountTotal = total, Currency = currency, Url = $"{PagesBase}/c/pay/{id}", SuccessUrl = successUrl, CancelUrl = cancelUrl,
            ClientReferenceId = clientReferenceId, Metadata = metadata, Created = Now, ExpiresAt = expiresAt ?? Now + 24 * 3600,
        };
        Sessions[id] = session;
        SessionLines[id] = lines;
        _intentMetadata[id] = intentMetadata;
        return session;
    });

    public CheckoutSessionObject Session(string id) =>
        Sessions.TryGetValue(id, out var session) ? session
        : throw new StripeErrorException(404, new ErrorObject { Type = "invalid_request_error", Code = "resource_missing", Param = "session", Message = $"No such checkout.session: '{id}'" });

    /// <summary>
    /// The shopper pays on the hosted page. A card that succeeds completes the session (paid); a declined card
    /// leaves it open for another try; <paramref name="delayed"/> is a bank debit: the session completes unpaid and
    /// <see cref="SettleDelayedPayment"/> brings the outcome.
    /// </summary>
    public CheckoutSessionObject PayOnPage(string sessionId, string paymentMethod = "pm_card_visa", bool delayed = false) => Locked(raised =>
    {
        var session = Session(sessionId);
        if (session.Status != "open")
            throw new StripeErrorException(400, new ErrorObject { Type = "invalid_request_error", Code = "checkout_session_not_open", Message = $"This Checkout Session is {session.Status}." });
        var intent = session.PaymentIntent is { } known ? Intents[known] : NewSessionIntent(raised, session);
        session.PaymentIntent = intent.Id;
        if (delayed)
        {
            intent.PaymentMethod = paymentMethod;
            intent.Status = "processing";
            Raise(raised, "payment_intent.processing", intent);
            Complete(raised, session, "unpaid");
            return session;
        }
        try
        {
            ConfirmLocked(raised, intent, paymentMethod);
        }
        catch (StripeErrorException ex) when (ex.Error.Type == "card_error")
        {
            return session; // the page shows the decline; the session stays open
        }
        if (intent.Status == "succeeded") Complete(raised, session, "paid");
        return session;
    });

    /// <summary>A delayed payment (a bank debit) settles: <c>checkout.session.async_payment_succeeded</c> or <c>…_failed</c>.</summary>
    public CheckoutSessionObject SettleDelayedPayment(string sessionId, bool succeed) => Locked(raised =>
    {
        var session = Session(sessionId);
        var intent = Intents[session.PaymentIntent ?? throw new InvalidOperationException("Nothing was paid on this session.")];
        if (intent.Status != "processing") throw new InvalidOperationException($"The payment is {intent.Status}, not processing.");
        if (succeed)
        {
            SucceedLocked(raised, intent);
            session.PaymentStatus = "paid";
            Raise(raised, "checkout.session.async_payment_succeeded", session);
        }
        else
        {
            intent.Status = "requires_payment_method";
            intent.LastPaymentError = new ErrorObject { Type = "card_error", Code = "payment_method_provider_decline", Message = "The bank refused the debit." };
            Raise(raised, "payment_intent.payment_failed", intent);
            Raise(raised, "checkout.session.async_payment_failed", session);
        }
        return session;
    });

    /// <summary>Expires an open session (its time ran out, or the API was asked to); false when it was not open.</summary>
    public CheckoutSessionObject Expire(string sessionId) => Locked(raised =>
    {
        var session = Session(sessionId);
        if (session.Status != "open")
            throw new StripeErrorException(400, new ErrorObject
            {
                Type = "invalid_request_error", Code = "checkout_session_not_open", Message = $"Only Checkout Sessions with a status of open can be expired; this one is {session.Status}.",
            });
        session.Status = "expired";
        session.Url = null;
        if (session.PaymentIntent is { } intent && Intents[intent].Status != "succeeded") Intents[intent].Status = "canceled";
        Raise(raised, "checkout.session.expired", session);
        return session;
    });

    private PaymentIntentObject NewSessionIntent(List<EventObject> raised, CheckoutSessionObject session)
    {
        var id = NewId("pi");
        var intent = new PaymentIntentObject
        {
            Id = id, Amount = session.AmountTotal, Currency = session.Currency, ClientSecret = $"{id}_secret_{Random(24)}",
            Metadata = _intentMetadata[session.Id], Created = Now,
        };
        Intents[id] = intent;
        Raise(raised, "payment_intent.created", intent);
        return intent;
    }

    private void Complete(List<EventObject> raised, CheckoutSessionObject session, string paymentStatus)
    {
        session.Status = "complete";
        session.PaymentStatus = paymentStatus;
        session.Url = null;
        Raise(raised, "checkout.session.completed", session);
    }
}
