using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace CharityPromo.Api.Payments.Stripe;

/// <summary>
/// HTTP to Stripe, the way Stripe's own libraries do it: Bearer secret key, pinned Stripe-Version, form bodies,
/// an Idempotency-Key on every POST (the same on every retry), and up to <see cref="StripeOptions.MaxRetries"/>
/// retries with jittered exponential backoff on connection errors, timeouts, 409, 429 and 5xx — or whenever
/// Stripe says <c>Stripe-Should-Retry: true</c>, and never when it says false.
/// </summary>
internal sealed class StripeClient(HttpClient http, IOptions<StripeOptions> options, ILogger<StripeClient> logger)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private StripeOptions Options => options.Value;

    public Task<T> PostAsync<T>(string path, IReadOnlyDictionary<string, object?> parameters, string idempotencyKey, CancellationToken ct) =>
        SendAsync<T>(HttpMethod.Post, path, StripeForm.Encode(parameters), idempotencyKey, ct);

    public Task<T> GetAsync<T>(string path, IReadOnlyDictionary<string, object?>? query, CancellationToken ct) =>
        SendAsync<T>(HttpMethod.Get, query is null ? path : $"{path}?{StripeForm.Encode(query)}", null, null, ct);

    private async Task<T> SendAsync<T>(HttpMethod method, string pathAndQuery, string? form, string? idempotencyKey, CancellationToken ct)
    {
        if (!Options.IsConfigured) throw new InvalidOperationException("Stripe is not configured (Stripe:SecretKey).");
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, new Uri(new Uri(Options.ApiBase), pathAndQuery));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Options.SecretKey);
            request.Headers.Add("Stripe-Version", Options.ApiVersion);
            if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
            if (form is not null) request.Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Options.Timeout);
            StripeException failure;
            bool? shouldRetry = null;
            try
            {
                using var response = await http.SendAsync(request, timeout.Token);
                var body = await response.Content.ReadAsStringAsync(timeout.Token);
                var requestId = response.Headers.TryGetValues("Request-Id", out var ids) ? ids.FirstOrDefault() : null;
                if (response.IsSuccessStatusCode)
                    return JsonSerializer.Deserialize<T>(body, Json) ?? throw new JsonException($"Stripe answered {pathAndQuery} with an empty body.");

                if (response.Headers.TryGetValues("Stripe-Should-Retry", out var advice)) shouldRetry = advice.FirstOrDefault() == "true";
                failure = new StripeException((int)response.StatusCode, requestId, ParseError(body, (int)response.StatusCode));
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                failure = new StripeException(0, null, new StripeError { Type = "api_connection_error", Message = $"Could not reach Stripe: {ex.Message}" }, ex);
            }

            var retry = attempt < Options.MaxRetries && (shouldRetry ?? failure.IsTransient);
            // The path and Stripe's own message only: never the key, the body or a client secret.
            logger.LogWarning("Stripe {Method} {Path} failed (attempt {Attempt}, status {Status}, request {RequestId}, {Type}/{Code}){Retrying}",
                method, pathAndQuery.Split('?')[0], attempt + 1, failure.HttpStatus, failure.RequestId, failure.StripeError.Type,
                failure.StripeError.Code, retry ? "; retrying" : "");
            if (!retry) throw failure;
            await Task.Delay(Backoff(attempt), ct);
        }
    }

    /// <summary>base × 2^attempt, scaled by a random factor in [0.5, 1) so that many clients do not retry in step.</summary>
    private TimeSpan Backoff(int attempt) =>
        Options.RetryBaseDelay * Math.Pow(2, attempt) * (0.5 + Random.Shared.NextDouble() / 2);

    private static StripeError ParseError(string body, int status)
    {
        try
        {
            if (JsonSerializer.Deserialize<StripeErrorBody>(body, Json)?.Error is { } error) return error;
        }
        catch (JsonException)
        {
            // A proxy's HTML error page, say: fall through to a generic error.
        }
        return new StripeError { Type = "api_error", Message = $"Stripe answered {status} without an error object." };
    }
}
