using CharityPromo.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Stripe;

namespace CharityPromo.Api.Payments;

/// <summary>What a checkout is told when Stripe says no, or cannot be reached.</summary>
internal static class StripeProblems
{
    public static ProblemHttpResult NotConfigured() =>
        Problems.Unprocessable("payment.method", "Stripe payments are not configured on this server: record purchases paid elsewhere with method 'external'.");

    /// <summary>An earlier attempt got no answer and its PaymentIntent may not be searchable yet: try again after <paramref name="wait"/>.</summary>
    public static ProblemHttpResult Settling(Guid purchaseId, TimeSpan wait)
    {
        var seconds = (int)Math.Ceiling(wait.TotalSeconds);
        return TypedResults.Problem(new HttpValidationProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable, Type = ProblemTypes.PaymentProviderUnavailable, Title = "Stripe could not be reached",
            Detail = $"An earlier attempt got no answer from Stripe; to be sure it made no payment, retry the same request in {seconds} s.",
            Extensions = { ["purchaseId"] = purchaseId, ["retryAfterSeconds"] = seconds },
        });
    }

    /// <summary>
    /// A failure of a call to Stripe: Stripe's answer (<see cref="StripeException"/>), or no answer at all — Stripe.net
    /// passes connection errors and timeouts on as they are, once its retries are spent.
    /// </summary>
    public static bool IsStripeFailure(Exception ex, CancellationToken ct) =>
        ex is StripeException or HttpRequestException || (ex is OperationCanceledException && !ct.IsCancellationRequested);

    /// <summary>Nothing definite came back (no answer, 409, 429, 5xx): the same request may be tried again later.</summary>
    public static bool IsTransient(Exception ex) =>
        ex is not StripeException stripe || (int)stripe.HttpStatusCode is 0 or 409 or 429 or >= 500;

    public static bool IsCardError(Exception ex) => ex is StripeException { StripeError.Type: "card_error" };

    /// <summary>
    /// Decline codes that carry the issuer's or Stripe's fraud signals. Stripe asks that the customer is not told them
    /// (a card thief learns which cards are reported), so the till hears <c>generic_decline</c>; the real code stays in
    /// Stripe's dashboard and in the API's Warning log.
    /// </summary>
    private static readonly HashSet<string> FraudSignals =
        ["fraudulent", "lost_card", "stolen_card", "pickup_card", "restricted_card", "merchant_blacklist", "security_violation"];

    public static bool IsFraudSignal(string declineCode) => FraudSignals.Contains(declineCode);

    public static string ForTheTill(string declineCode) => IsFraudSignal(declineCode) ? "generic_decline" : declineCode;

    /// <param name="field">The request field a refusal of Stripe's is about.</param>
    /// <param name="extensions">Added to the problem (the PaymentIntent a declined card left, for Stripe.js to retry).</param>
    public static ProblemHttpResult From(Exception ex, string field, IDictionary<string, object?>? extensions = null)
    {
        var error = (ex as StripeException)?.StripeError;
        var details = ex switch
        {
            _ when IsCardError(ex) => new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [error!.Message ?? "The card was declined."] })
            {
                Status = StatusCodes.Status402PaymentRequired, Type = ProblemTypes.CardDeclined, Title = "The payment was declined", Detail = error.Message,
            },
            _ when IsTransient(ex) => new HttpValidationProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable, Type = ProblemTypes.PaymentProviderUnavailable, Title = "Stripe could not be reached",
                Detail = "Nothing was charged twice: retry the same request with the same Idempotency-Key to resume it.",
            },
            StripeException { HttpStatusCode: System.Net.HttpStatusCode.BadRequest or System.Net.HttpStatusCode.NotFound } =>
                new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [error?.Message ?? "Stripe refused the request."] })
                {
                    Status = StatusCodes.Status422UnprocessableEntity, Type = ProblemTypes.BusinessRule, Title = "Stripe refused the request", Detail = error?.Message,
                },
            // 401/403 and the like are ours to fix (a wrong key); Stripe's wording about them stays in our logs.
            _ => new HttpValidationProblemDetails
            {
                Status = StatusCodes.Status502BadGateway, Type = ProblemTypes.PaymentProviderError, Title = "Stripe refused our request",
                Detail = "The payment provider refused the server's request; the operators have been told.",
            },
        };
        if (error?.Code is not null && details.Status != StatusCodes.Status502BadGateway) details.Extensions["code"] = error.Code;
        if (error?.DeclineCode is not null) details.Extensions["declineCode"] = ForTheTill(error.DeclineCode);
        if ((ex as StripeException)?.StripeResponse?.RequestId is { } requestId) details.Extensions["stripeRequestId"] = requestId;
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>()) details.Extensions[key] = value;
        return TypedResults.Problem(details);
    }
}
