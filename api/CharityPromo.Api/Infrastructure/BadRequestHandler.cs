using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace CharityPromo.Api.Infrastructure;

/// <summary>
/// Turns request bodies that cannot be read (bad JSON, wrong types, overflowing numbers, too large) into
/// 400/413 problems naming the field, instead of the framework's empty 400 or a 500.
/// </summary>
internal sealed class BadRequestHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is not BadHttpRequestException bad) return false;

        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await Problems.WriteAsync(context, bad.StatusCode, ProblemTypes.TooLarge, "Request too large", bad.Message);
            return true;
        }

        var (field, message) = FindJsonError(bad);
        await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, ProblemTypes.Validation,
            "The request is invalid", message, new Dictionary<string, string[]> { [field] = [message] });
        return true;
    }

    private static (string Field, string Message) FindJsonError(BadHttpRequestException bad)
    {
        for (Exception? e = bad; e is not null; e = e.InnerException)
        {
            if (e is JsonException json)
            {
                var field = JsonPathToField(json.Path);
                return (field, json.Message == PlainTextConverter.Refusal
                    ? $"'{field}' must be plain text: control characters (such as U+0000) are not accepted."
                    : json.Message.StartsWith("Duplicate", StringComparison.Ordinal)
                    ? $"'{field}' appears more than once in the body (names match whatever their case): send each field once."
                    : field == "body"
                    ? "The body is not valid JSON."
                    : json.Message.Contains("could not be mapped", StringComparison.Ordinal)
                        ? $"'{field}' is not a field of this request."
                        : $"'{field}' has no valid value here: the JSON is malformed or the value has the wrong type.");
            }
        }
        return ("body", bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase)
            ? "A JSON body is required (Content-Type: application/json)."
            : bad.Message);
    }

    /// <summary>"$.payment.method" → "payment.method"; "$" or nothing → "body".</summary>
    internal static string JsonPathToField(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "body";
        var field = path.StartsWith("$.") ? path[2..] : path.TrimStart('$');
        return string.IsNullOrEmpty(field) ? "body" : field;
    }
}
