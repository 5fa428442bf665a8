using Microsoft.Extensions.Caching.Memory;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CharityPromo.Site.Api;

public enum FetchState
{
    /// <summary>Straight from the API.</summary>
    Fresh,
    /// <summary>The API did not answer; this is the last answer seen, as of <see cref="Fetched{T}.AsOfUtc"/>.</summary>
    Stale,
    /// <summary>The API says there is no such thing.</summary>
    NotFound,
    /// <summary>The API did not answer and nothing was seen before.</summary>
    Unavailable,
}

public sealed record Fetched<T>(T? Value, FetchState State, DateTime AsOfUtc) where T : class;

/// <summary>
/// The API's anonymous read endpoints, through a typed HttpClient. Keeps the last good answer per URL so
/// pages can still show it (marked with its time) when the API is down.
/// </summary>
public sealed class PublicApi(HttpClient http, LastSeen lastSeen, TimeProvider clock, ILogger<PublicApi> logger)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public Task<Fetched<List<CampaignSummary>>> CampaignsAsync(CancellationToken ct) =>
        FetchAsync<List<CampaignSummary>>("/api/campaigns", "/api/campaigns", ct);

    public Task<Fetched<CampaignSummary>> CampaignAsync(string slug, CancellationToken ct) =>
        FetchAsync<CampaignSummary>($"/api/campaigns/{Uri.EscapeDataString(slug)}", "/api/campaigns/{slug}", ct);

    public Task<Fetched<List<RecentPledge>>> RecentPledgesAsync(string slug, CancellationToken ct) =>
        FetchAsync<List<RecentPledge>>($"/api/campaigns/{Uri.EscapeDataString(slug)}/pledges/recent?limit=10", "/api/campaigns/{slug}/pledges/recent", ct);

    public Task<Fetched<CharityDetails>> CharityAsync(string slug, CancellationToken ct) =>
        FetchAsync<CharityDetails>($"/api/charities/{Uri.EscapeDataString(slug)}", "/api/charities/{slug}", ct);

    public Task<Fetched<CharityPayments>> CharityPaymentsAsync(string slug, CancellationToken ct) =>
        FetchAsync<CharityPayments>($"/api/charities/{Uri.EscapeDataString(slug)}/payments", "/api/charities/{slug}/payments", ct);

    public Task<Fetched<Receipt>> ReceiptAsync(string code, CancellationToken ct) =>
        FetchAsync<Receipt>($"/api/receipts/{Uri.EscapeDataString(code)}", "/api/receipts/{code}", ct);

    /// <param name="route">The path's template, the only form of it that is logged: a receipt code opens a shopper's page.</param>
    private async Task<Fetched<T>> FetchAsync<T>(string path, string route, CancellationToken ct) where T : class
    {
        try
        {
            using var response = await http.GetAsync(path, ct);
            if (response.StatusCode == HttpStatusCode.NotFound) return new Fetched<T>(null, FetchState.NotFound, clock.GetUtcNow().UtcDateTime);
            response.EnsureSuccessStatusCode();
            var value = await response.Content.ReadFromJsonAsync<T>(Json, ct) ?? throw new JsonException($"Empty answer from {path}");
            var now = clock.GetUtcNow().UtcDateTime;
            lastSeen.Remember(path, value, now);
            return new Fetched<T>(value, FetchState.Fresh, now);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
        {
            logger.LogWarning("The API did not answer {Route}: {Error}", route, ex.GetType().Name);
            return lastSeen.Recall<T>(path) is { } seen
                ? new Fetched<T>(seen.Value, FetchState.Stale, seen.AsOfUtc)
                : new Fetched<T>(null, FetchState.Unavailable, clock.GetUtcNow().UtcDateTime);
        }
    }
}

/// <summary>
/// The last good answer per API path, for showing while the API is down. Bounded: the campaign and charity pages are
/// few, but every receipt ever viewed is a path of its own, so the least recently used answers go first past
/// <see cref="MaxAnswers"/>, and an answer unused for a day goes (a page nobody asks for needs no fallback).
/// </summary>
public sealed class LastSeen : IDisposable
{
    public const int MaxAnswers = 10_000;
    private readonly MemoryCache _answers = new(new MemoryCacheOptions { SizeLimit = MaxAnswers, CompactionPercentage = 0.1 });

    public void Remember(string path, object value, DateTime asOfUtc) =>
        _answers.Set(path, (value, asOfUtc), new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromDays(1) });

    public (T Value, DateTime AsOfUtc)? Recall<T>(string path) where T : class =>
        _answers.TryGetValue(path, out (object Value, DateTime AsOfUtc) seen) && seen.Value is T value ? (value, seen.AsOfUtc) : null;

    public int Count => _answers.Count;

    public void Dispose() => _answers.Dispose();
}
