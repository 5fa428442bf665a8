namespace CharityPromo.Api.Infrastructure;

internal static class UnsupportedMediaType
{
    /// <summary>ASP.NET Core's name for the endpoint routing picks when a body's media type is not one the route accepts.</summary>
    private const string RejectionEndpoint = "415 HTTP Unsupported Media Type";

    /// <summary>
    /// A body in a media type the route does not accept is a 415 problem whoever sends it. Routing answers it with an
    /// endpoint of its own that carries no <c>AllowAnonymous</c>, so without this the fallback policy told anonymous
    /// callers (Stripe's webhook, say) 401. Runs before authentication.
    /// </summary>
    public static IApplicationBuilder UseUnsupportedMediaTypeProblems(this IApplicationBuilder app) =>
        app.Use((context, next) => context.GetEndpoint()?.DisplayName != RejectionEndpoint
            ? next(context)
            : Problems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, ProblemTypes.Validation, "Unsupported media type",
                "Send the body as JSON, with Content-Type: application/json.",
                new Dictionary<string, string[]> { ["body"] = ["Send the body as JSON, with Content-Type: application/json."] }));
}
