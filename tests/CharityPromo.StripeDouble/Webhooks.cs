using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CharityPromo.StripeDouble;

public enum DeliveryMode
{
    /// <summary>Each event is sent as it happens (in the background).</summary>
    Immediate,
    /// <summary>Events wait in <see cref="Webhooks.Held"/> until the test sends them, in any order, or drops them.</summary>
    Hold,
}

/// <summary>Sends events to the webhook URL, signed as Stripe signs them: <c>t=…,v1=HMAC-SHA256(secret, "{t}.{body}")</c>.</summary>
public sealed class Webhooks(HttpClient http, TimeProvider clock)
{
    private readonly ConcurrentQueue<Task> _sending = new();

    public string? Url { get; set; }
    /// <summary>Every secret signs each delivery (one v1 each), as Stripe does while a secret is being rolled.</summary>
    public List<string> Secrets { get; } = [];
    public DeliveryMode Mode { get; set; } = DeliveryMode.Immediate;
    public ConcurrentQueue<EventObject> Held { get; } = new();
    /// <summary>(event id, HTTP status the endpoint answered).</summary>
    public ConcurrentQueue<(string EventId, int Status)> Deliveries { get; } = new();

    public void OnRaised(EventObject e)
    {
        if (Url is null) return;
        if (Mode == DeliveryMode.Hold) Held.Enqueue(e);
        else _sending.Enqueue(Task.Run(() => SendAsync(e)));
    }

    /// <summary>
    /// Sends the held events in the order given (all held ones, oldest first, by default), each <paramref name="times"/>
    /// times as Stripe may redeliver, and forgets them. Holding them at all is the delay.
    /// </summary>
    public async Task DeliverHeldAsync(Func<IReadOnlyList<EventObject>, IEnumerable<EventObject>>? order = null, int times = 1)
    {
        var held = new List<EventObject>();
        while (Held.TryDequeue(out var e)) held.Add(e);
        foreach (var e in order?.Invoke(held) ?? held) await SendAsync(e, times);
    }

    public void DropHeld() => Held.Clear();

    /// <summary>Waits for every delivery started so far.</summary>
    public async Task DrainAsync()
    {
        while (_sending.TryDequeue(out var sending)) await sending;
    }

    public async Task<int> SendAsync(EventObject e, int times = 1)
    {
        var body = JsonSerializer.Serialize(e, StripeDouble.Json);
        var status = 0;
        for (var i = 0; i < times; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Stripe-Signature", Sign(body, clock.GetUtcNow()));
            using var response = await http.SendAsync(request);
            status = (int)response.StatusCode;
            Deliveries.Enqueue((e.Id, status));
        }
        return status;
    }

    public string Sign(string body, DateTimeOffset at)
    {
        var t = at.ToUnixTimeSeconds();
        var signatures = Secrets.Select(secret => "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}"))));
        return $"t={t},{string.Join(',', signatures)}";
    }
}
