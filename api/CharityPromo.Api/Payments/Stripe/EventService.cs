namespace CharityPromo.Api.Payments.Stripe;

/// <summary>Events, named as in Stripe.net: the reconciler replays the ones a lost webhook would have brought.</summary>
internal sealed class EventService(StripeClient stripe)
{
    /// <summary>Events created at or after <paramref name="since"/>, oldest first (Stripe lists newest first).</summary>
    public async Task<List<Event>> ListSinceAsync(DateTimeOffset since, IReadOnlyList<string> types, CancellationToken ct)
    {
        var all = new List<Event>();
        string? after = null;
        while (true)
        {
            var page = await stripe.GetAsync<StripeList<Event>>("/v1/events", new Dictionary<string, object?>
            {
                ["created"] = new Dictionary<string, object?> { ["gte"] = since.ToUnixTimeSeconds() },
                ["types"] = types,
                ["limit"] = 100,
                ["starting_after"] = after,
            }, ct);
            all.AddRange(page.Data);
            if (!page.HasMore || page.Data.Count == 0) break;
            after = page.Data[^1].Id;
        }
        all.Reverse();
        return all;
    }
}
