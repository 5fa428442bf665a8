using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CharityPromo.Api.Tests.Contract;

/// <summary>
/// Walks journey steps through Prism and says, per step, what went wrong: an answer the document forbids (naming the
/// operation and the field), a status other than the step's, or a request Prism and the API judge differently.
/// </summary>
public sealed partial class ContractPass(ContractFixture fixture, Uri proxy, JsonNode document)
{
    private readonly Dictionary<string, string> _saved = new();
    private readonly List<(string Method, Regex Path, string OperationId)> _operations = Operations(document)
        .Select(o => (o.Method, new Regex("^" + Placeholder().Replace(Regex.Escape(o.Path).Replace(@"\{", "{"), "[^/]+") + "$"), o.OperationId)).ToList();

    public ContractFixture Fixture => fixture;
    /// <summary>What steps saved from the answers, by name.</summary>
    public IReadOnlyDictionary<string, string> Saved => _saved;

    /// <summary>Every operation in the document: method (upper case), path template, operationId.</summary>
    public static IEnumerable<(string Method, string Path, string OperationId, JsonObject Operation)> Operations(JsonNode document) =>
        from path in document["paths"]!.AsObject()
        from operation in path.Value!.AsObject()
        select (operation.Key.ToUpperInvariant(), path.Key, operation.Value!["operationId"]!.GetValue<string>(), operation.Value!.AsObject());

    /// <summary>A success of an operation that needs a key (no empty security requirement): the pass also sends it without one.</summary>
    public static bool IsSecuredSuccess(ContractStep step, JsonNode document) =>
        step.Status is >= 200 and < 300 && Operations(document).Any(o => o.OperationId == step.Operation
            && o.Operation["security"] is JsonArray { Count: > 0 } requirements && requirements.All(requirement => requirement!.AsObject().Count > 0));

    public async Task<List<string>> WalkAsync(IEnumerable<ContractStep> steps)
    {
        var failures = new List<string>();
        foreach (var step in steps)
        {
            if (step.Action is not null)
            {
                await step.Action(this);
                continue;
            }
            // Every secured success is also tried without a key (401) and, when the step names one, with a key of the wrong scope (403).
            if (IsSecuredSuccess(step, document))
            {
                failures.AddRange(await SendAsync(step with { As = Caller.Anonymous, Status = 401, Invalid = true, Saves = new Dictionary<string, string>() }));
                if (step.Forbidden is { } wrong) failures.AddRange(await SendAsync(step with { As = wrong, Status = 403, Saves = new Dictionary<string, string>() }));
            }
            failures.AddRange(await SendAsync(step));
        }
        return failures;
    }

    /// <summary>Sends one step (until its status, when it repeats) and checks each answer.</summary>
    public async Task<List<string>> SendAsync(ContractStep step)
    {
        var failures = new List<string>();
        if (Placeholder().Matches(step.Path + step.Body).FirstOrDefault(m => !_saved.ContainsKey(m.Groups[1].Value)) is { } unsaved)
            return [$"{step}: no earlier step saved {unsaved.Value}"];
        var path = Fill(step.Path);
        var bare = path.Split('?')[0];
        var operation = _operations.FirstOrDefault(o => o.Method == step.Method.Method && o.Path.IsMatch(bare)).OperationId;
        if (operation != step.Operation)
            return [$"{step}: {step.Method} {bare} is {operation ?? "no documented operation"}, not {step.Operation}"];

        for (var attempt = 1; ; attempt++)
        {
            using var client = fixture.Client(proxy, step.As);
            using var request = new HttpRequestMessage(step.Method, path);
            if (step.Body is not null)
            {
                var body = Fill(step.Body);
                request.Content = new StringContent(body, Encoding.UTF8);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(step.ContentType);
                if (step.StripeSigned)
                    request.Headers.TryAddWithoutValidation("Stripe-Signature", fixture.Stripe.Webhooks.Sign(body, fixture.App.Clock.GetUtcNow()));
            }
            if (step.ForwardedFor is not null) request.Headers.Add("X-Forwarded-For", step.ForwardedFor);
            if (step.Method != HttpMethod.Get && step.As != Caller.Anonymous) request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;

            var violations = Violations(response);
            var requestViolations = violations.Where(v => v.Location.FirstOrDefault() == "request").ToList();
            foreach (var v in violations.Except(requestViolations))
                failures.Add($"{step.Operation} ({step.Method} {bare} → {status}): the answer breaks the document at {Field(v.Location)}: {v.Message}");
            if (status != step.Status && attempt < step.Repeat) continue;
            if (step.Invalid && requestViolations.Count == 0)
                failures.Add($"{step.Operation}: the document calls this request valid, but the journey expects the API to refuse it (it answered {status}): {Fill(step.Body ?? path)}");
            if (!step.Invalid)
                foreach (var v in requestViolations)
                    failures.Add($"{step.Operation}: the document calls the request invalid at {Field(v.Location)} ({v.Message}), but the journey sends it as valid and the API answered {status}");
            if (status != step.Status)
                failures.Add($"{step}: the API answered {status}: {Shorten(text)}");
            else if (step.Invalid && status is < 400 or >= 500)
                failures.Add($"{step}: the document calls the request invalid, but the API accepted it with {status}");
            else
                foreach (var (name, field) in step.Saves)
                {
                    var value = Pick(text, field);
                    if (value is null) failures.Add($"{step}: no '{field}' in the answer to save as {{{name}}}: {Shorten(text)}");
                    else _saved[name] = value;
                }
            return failures;
        }
    }

    /// <summary>One entry of Prism's sl-violations header; errors and warnings alike fail the pass.</summary>
    private sealed record Violation(string[] Location, string Message);

    private static List<Violation> Violations(HttpResponseMessage response) =>
        !response.Headers.TryGetValues("sl-violations", out var values) ? []
        : values.SelectMany(value => JsonNode.Parse(value)!.AsArray()).Select(v => new Violation(
            v!["location"]!.AsArray().Select(l => l!.ToString()).ToArray(), v["message"]!.ToString())).ToList();

    /// <summary>["response", "body", "campaign", "impact"] → "response body campaign.impact".</summary>
    private static string Field(string[] location) =>
        location.Length <= 2 ? string.Join(' ', location) : $"{location[0]} {location[1]} {string.Join('.', location.Skip(2))}";

    private static string? Pick(string json, string path)
    {
        JsonNode? node = JsonNode.Parse(json);
        foreach (var part in path.Split('.'))
            node = node is JsonArray array && int.TryParse(part, out var i) ? (i < array.Count ? array[i] : null) : node?[part];
        return node?.ToString();
    }

    private string Fill(string text) => Placeholder().Replace(text, m => _saved[m.Groups[1].Value]);

    private static string Shorten(string text) => text.Length <= 600 ? text : text[..600] + "…";

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex Placeholder();
}
