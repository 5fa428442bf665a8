namespace CharityPromo.Api.Payments.Stripe;

internal sealed class PaymentIntentCreateOptions
{
    public long Amount { get; init; }
    public required string Currency { get; init; }
    public Dictionary<string, string> Metadata { get; init; } = [];
    public string? PaymentMethod { get; init; }
    public bool? Confirm { get; init; }
    public string? Description { get; init; }

    /// <summary>
    /// Stripe's dashboard decides which payment methods Stripe.js offers. Confirming server-side there is no
    /// page to return to, so methods that redirect are left out.
    /// </summary>
    public Dictionary<string, object?> ToParameters() => new()
    {
        ["amount"] = Amount,
        ["currency"] = Currency,
        ["description"] = Description,
        ["metadata"] = Metadata,
        ["automatic_payment_methods"] = new Dictionary<string, object?>
        {
            ["enabled"] = true,
            ["allow_redirects"] = Confirm == true ? "never" : null,
        },
        ["payment_method"] = PaymentMethod,
        ["confirm"] = Confirm,
    };
}

/// <summary>PaymentIntents, named as in Stripe.net.</summary>
internal sealed class PaymentIntentService(StripeClient stripe)
{
    public Task<PaymentIntent> CreateAsync(PaymentIntentCreateOptions options, string idempotencyKey, CancellationToken ct) =>
        stripe.PostAsync<PaymentIntent>("/v1/payment_intents", options.ToParameters(), idempotencyKey, ct);

    public Task<PaymentIntent> GetAsync(string id, CancellationToken ct) =>
        stripe.GetAsync<PaymentIntent>($"/v1/payment_intents/{Uri.EscapeDataString(id)}", null, ct);

    public Task<PaymentIntent> ConfirmAsync(string id, string paymentMethod, string idempotencyKey, CancellationToken ct) =>
        stripe.PostAsync<PaymentIntent>($"/v1/payment_intents/{Uri.EscapeDataString(id)}/confirm",
            new Dictionary<string, object?> { ["payment_method"] = paymentMethod }, idempotencyKey, ct);
}
