using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Payments.Stripe;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CharityPromo.Api.Payments;

/// <summary>What a checkout is told when Stripe says no, or cannot be reached.</summary>
internal static class StripeProblems
{
    public static ProblemHttpResult NotConfigured() =>
        Problems.Unprocessable("payment.method", "Stripe payments are not configured on this server: record purchases paid elsewhere with method 'external'.");

    /// <param name="field">The request field a refusal of Stripe's is about.</param>
    /// <param name="extensions">Added to the problem (the PaymentIntent a declined card left, for Stripe.js to retry).</param>
    public static ProblemHttpResult From(StripeException ex, string field, IDictionary<string, object?>? extensions = null)
    {
        var error = ex.StripeError;
        var details = ex switch
        {
            { IsCardError: true } => new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [error.Message ?? "The card was declined."] })
            {
                Status = StatusCodes.Status402PaymentRequired, Type = ProblemTypes.CardDeclined, Title = "The payment was declined", Detail = error.Message,
            },
            { IsTransient: true } => new HttpValidationProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable, Type = ProblemTypes.PaymentProviderUnavailable, Title = "Stripe could not be reached",
                Detail = "Nothing was charged twice: retry the same request with the same Idempotency-Key to resume it.",
            },
            { HttpStatus: 400 or 404 } => new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [error.Message ?? "Stripe refused the request."] })
            {
                Status = StatusCodes.Status422UnprocessableEntity, Type = ProblemTypes.BusinessRule, Title = "Stripe refused the request", Detail = error.Message,
            },
            // 401/403 and the like are ours to fix (a wrong key); Stripe's wording about them stays in our logs.
            _ => new HttpValidationProblemDetails
            {
                Status = StatusCodes.Status502BadGateway, Type = ProblemTypes.PaymentProviderError, Title = "Stripe refused our request",
                Detail = "The payment provider refused the server's request; the operators have been told.",
            },
        };
        if (error.Code is not null && details.Status != StatusCodes.Status502BadGateway) details.Extensions["code"] = error.Code;
        if (error.DeclineCode is not null) details.Extensions["declineCode"] = error.DeclineCode;
        if (ex.RequestId is not null) details.Extensions["stripeRequestId"] = ex.RequestId;
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>()) details.Extensions[key] = value;
        return TypedResults.Problem(details);
    }
}
