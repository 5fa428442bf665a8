using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CharityPromo.Api.Infrastructure;

/// <summary>Stable problem type URIs (RFC 9457 "type"), documented in docs/API.md.</summary>
internal static class ProblemTypes
{
    private const string Base = "urn:charitypromo:problem:";
    public const string Validation = Base + "validation";
    public const string Unauthorized = Base + "unauthorized";
    public const string Forbidden = Base + "forbidden";
    public const string NotFound = Base + "not-found";
    public const string Conflict = Base + "conflict";
    public const string IdempotencyKeyReused = Base + "idempotency-key-reused";
    public const string TooLarge = Base + "request-too-large";
    public const string RateLimited = Base + "rate-limited";
    public const string BusinessRule = Base + "business-rule";
    public const string CharityConsentMissing = Base + "charity-consent-missing";
    public const string CardDeclined = Base + "card-declined";
    public const string PaymentProviderUnavailable = Base + "payment-provider-unavailable";
    public const string PaymentProviderError = Base + "payment-provider-error";
}

internal static class Problems
{
    /// <summary>400 naming the fields at fault: the shape every validation failure takes.</summary>
    public static ValidationProblem Invalid(IDictionary<string, string[]> errors, string? detail = null) =>
        TypedResults.ValidationProblem(errors, detail, type: ProblemTypes.Validation, title: "The request is invalid");

    public static ValidationProblem Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>422: well-formed, but a business rule refuses it (campaign ended, wrong currency…), naming the field.</summary>
    public static ProblemHttpResult Unprocessable(string field, string message) =>
        Naming(field, message, StatusCodes.Status422UnprocessableEntity, ProblemTypes.BusinessRule, "The request breaks a business rule");

    /// <summary>422: no consent of the charity covers this campaign now; names the charity (field <c>charity</c> and extension <c>charity</c>).</summary>
    public static ProblemHttpResult ConsentMissing(string charitySlug, string charityName, string campaignSlug)
    {
        var message = $"{charityName} ('{charitySlug}') has no consent on record covering campaign '{campaignSlug}' now, so no purchase can give to it in its name.";
        return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["charity"] = [message] })
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Type = ProblemTypes.CharityConsentMissing,
            Title = "The charity has not consented",
            Detail = message,
            Extensions = { ["charity"] = charitySlug },
        });
    }

    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound, title: "Not found", detail: what);

    /// <summary>404 naming the field (a path or query parameter) that named nothing.</summary>
    public static ProblemHttpResult NotFound(string field, string what) => Naming(field, what, StatusCodes.Status404NotFound, ProblemTypes.NotFound, "Not found");

    public static ProblemHttpResult Conflict(string field, string message) => Naming(field, message, StatusCodes.Status409Conflict, ProblemTypes.Conflict, "Conflict");

    private static ProblemHttpResult Naming(string field, string message, int status, string type, string title) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = status,
            Type = type,
            Title = title,
            Detail = message,
        });

    /// <summary>Writes a problem straight to the response, for code outside endpoint handlers (auth, limits, middleware).</summary>
    public static async Task WriteAsync(HttpContext context, int status, string type, string title, string detail,
        IDictionary<string, string[]>? errors = null)
    {
        ProblemDetails problem = errors is null ? new ProblemDetails() : new HttpValidationProblemDetails(errors);
        problem.Status = status;
        problem.Type = type;
        problem.Title = title;
        problem.Detail = detail;
        context.Response.StatusCode = status;
        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await service.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
