namespace CharityPromo.Api.Payments.Stripe;

internal sealed class RefundCreateOptions
{
    public required string PaymentIntent { get; init; }
    /// <summary>Null refunds everything still refundable.</summary>
    public long? Amount { get; init; }
    public Dictionary<string, string> Metadata { get; init; } = [];

    public Dictionary<string, object?> ToParameters() => new()
    {
        ["payment_intent"] = PaymentIntent,
        ["amount"] = Amount,
        ["metadata"] = Metadata,
    };
}

/// <summary>Refunds, named as in Stripe.net.</summary>
internal sealed class RefundService(StripeClient stripe)
{
    public Task<Refund> CreateAsync(RefundCreateOptions options, string idempotencyKey, CancellationToken ct) =>
        stripe.PostAsync<Refund>("/v1/refunds", options.ToParameters(), idempotencyKey, ct);

    /// <summary>Every refund of a PaymentIntent (following pages).</summary>
    public async Task<List<Refund>> ListAllAsync(string paymentIntent, CancellationToken ct)
    {
        var all = new List<Refund>();
        string? after = null;
        while (true)
        {
            var page = await stripe.GetAsync<StripeList<Refund>>("/v1/refunds", new Dictionary<string, object?>
            {
                ["payment_intent"] = paymentIntent, ["limit"] = 100, ["starting_after"] = after,
            }, ct);
            all.AddRange(page.Data);
            if (!page.HasMore || page.Data.Count == 0) return all;
            after = page.Data[^1].Id;
        }
    }
}
