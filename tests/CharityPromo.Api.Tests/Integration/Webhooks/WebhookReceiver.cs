using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CharityPromo.Api.Tests.Integration.Webhooks;

/// <summary>
/// An integrator's receiver on Kestrel at 127.0.0.1. It checks signatures with its own HMAC code, written from the
/// documented header format (docs/API.md), not with the API's signing code, and records every request it got.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    /// <summary>What to answer each request (the default: 200).</summary>
    public Func<Received, Task<int>> Answer { get; set; } = _ => Task.FromResult(200);
    public ConcurrentQueue<Received> Requests { get; } = new();
    public string Url { get; private set; } = "";

    public sealed record Received(string Body, string? Signature, string? ContentType)
    {
        public JsonNode Json => JsonNode.Parse(Body)!;
        public string Type => Json["type"]!.GetValue<string>();
        public string EventId => Json["id"]!.GetValue<string>();

        /// <summary>The v1 signatures in the header that the secret verifies over <c>t.body</c>.</summary>
        public int VerifiedBy(string secret)
        {
            var parts = (Signature ?? "").Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToList();
            var t = parts.Single(p => p[0] == "t")[1];
            using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
            var expected = hmac.ComputeHash(Encoding.UTF8.GetBytes(t + "." + Body));
            return parts.Where(p => p[0] == "v1").Count(p => CryptographicOperations.FixedTimeEquals(Convert.FromHexString(p[1]), expected));
        }

        public long SignedAt => long.Parse((Signature ?? "").Split(',').Single(p => p.StartsWith("t=", StringComparison.Ordinal))[2..]);
        public int V1Count => (Signature ?? "").Split(',').Count(p => p.StartsWith("v1=", StringComparison.Ordinal));
    }

    private WebhookReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapPost("/hooks", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var received = new Received(await reader.ReadToEndAsync(), http.Request.Headers["CharityPromo-Signature"].FirstOrDefault(), http.Request.ContentType);
            Requests.Enqueue(received);
            return Results.Text("thanks " + new string('x', 3000), statusCode: await Answer(received));
        });
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        await receiver._app.StartAsync();
        receiver.Url = receiver._app.Urls.Single().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal) + "/hooks";
        return receiver;
    }

    /// <summary>Waits until a request matching <paramref name="match"/> arrived (the dispatcher polls on its own).</summary>
    public async Task<Received> WaitForAsync(Func<Received, bool> match, int count = 1, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            var found = Requests.Where(match).ToList();
            if (found.Count >= count) return found[count - 1];
            await Task.Delay(50);
        }
        throw new TimeoutException($"No {count} matching webhook(s) arrived; got: {string.Join(", ", Requests.Select(r => r.Type))}");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
