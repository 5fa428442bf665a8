namespace CharityPromo.Api.Payments;

/// <summary>
/// Logs each failed attempt of a call to Stripe, retries included: method, path, status and Stripe's request id —
/// never the query, the body (client secrets) or the headers (the secret key). Stripe.net itself logs nothing.
/// </summary>
internal sealed class StripeHttpLogging(ILogger<StripeHttpLogging> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        try
        {
            var response = await base.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
                logger.LogWarning("Stripe {Method} {Path} failed: status {Status}, request {RequestId}, Stripe-Should-Retry {ShouldRetry}",
                    request.Method, request.RequestUri?.AbsolutePath, (int)response.StatusCode,
                    response.Headers.TryGetValues("Request-Id", out var ids) ? ids.FirstOrDefault() : null,
                    response.Headers.TryGetValues("Stripe-Should-Retry", out var advice) ? advice.FirstOrDefault() : null);
            return response;
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            logger.LogWarning("Stripe {Method} {Path} failed: no answer ({Error})", request.Method, request.RequestUri?.AbsolutePath, ex.GetType().Name);
            throw;
        }
    }
}
