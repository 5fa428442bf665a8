namespace CharityPromo.Api.Infrastructure;

internal static class PlainTextParameters
{
    /// <summary>
    /// Every query and route value is plain text, as every body string is (<see cref="PlainTextConverter"/>): one check
    /// here, so a filter added to any endpoint later cannot carry U+0000 to PostgreSQL, which refuses it with a 500.
    /// Runs after authorization, so a caller without access still learns only that.
    /// </summary>
    public static IApplicationBuilder UsePlainTextParameters(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var field = FirstNotPlain(context.Request);
            if (field is null) return next(context);
            var message = $"'{field}' must be plain text: control characters are not accepted.";
            return Problems.WriteAsync(context, StatusCodes.Status400BadRequest, ProblemTypes.Validation, "The request is invalid", message,
                new Dictionary<string, string[]> { [field] = [message] });
        });

    private static string? FirstNotPlain(HttpRequest request)
    {
        foreach (var (name, values) in request.Query)
            if (PlainTextConverter.HasControlCharacters(name) || values.Any(PlainTextConverter.HasControlCharacters)) return name;
        foreach (var (name, value) in request.RouteValues)
            if (value is string text && PlainTextConverter.HasControlCharacters(text)) return name;
        return null;
    }
}
