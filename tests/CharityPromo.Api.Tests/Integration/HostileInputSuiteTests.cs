using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CharityPromo.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>
/// Every endpoint the app maps, taken from its own routing table, with its body's fields from the OpenAPI document it
/// serves, is sent hostile input: bodies that are not JSON or not the right JSON, each field replaced by each hostile
/// value, every auth case, odd path and query values. A new endpoint is covered without editing this test. Each case
/// must answer below 500, as an RFC 9457 problem when it is refused, naming the field when a field's value had the
/// wrong type or was not plain text, and a refused case writes nothing. Runs on SQLite and PostgreSQL.
/// </summary>
public class HostileInputSuiteTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    /// <summary>Values a field can be given that are wrong, extreme or odd, as JSON; true when they must be refused with a 400 naming the field.</summary>
    private static readonly (string Json, bool Named)[] FieldValues =
    [
        ("null", false), ("\"\"", false), ("\"   \"", false), ($"\"{new string('x', 5000)}\"", false), ("\"a\\u0000b\"", true),
        ("\"\\u001b[31mred\"", true), ("\"\\u0085\"", true), ("\"ab\\n\"", false), ("-1", false), ("0", false), ("9223372036854775807", false),
        ("9223372036854775808", false), ("-9223372036854775809", false), ("1e400", false), ("1.5", false), ("true", false), ("[]", false),
        ("{}", false), ("\"2026-13-45T99:00:00Z\"", false), ("\"../../etc/passwd\"", false), ("\"<script>alert(1)</script>\"", false),
        ("\"\\ud800\"", false), ("\"ＡＢＣ ç 🙂\"", false), ("\"0001-01-01T00:00:00Z\"", false), ("\"9999-12-31T23:59:59Z\"", false),
    ];

    private static readonly string[] PathValues = ["%00", "..%2F..%2Fetc", new string('a', 300), "%FF%FE", "null", "%20", "%C3%A7", "00000000-0000-0000-0000-000000000000"];

    private static readonly string[] QueryValues = ["%00", "99999999999999999999", "-1", "", "abc", "2026-99-99", "%FF", "0001-01-01T00:00:00Z", new string('q', 2000)];

    private sealed record Case(string Method, string Path, string? Body, string ContentType, string? Key, bool KeyHeader, string? NamedField, string What);

    private sealed record Failure(Case Case, int Status, string Why, string Answer);

    [Fact]
    public async Task NoEndpointAnswers5xxToHostileInputAndARefusedRequestWritesNothing()
    {
        var admin = await app.CreateKeyAsync("admin,checkout,finance");
        var adminClient = app.Client(admin);
        await Seed.ContractCampaignAsync(adminClient);
        var paid = await (await adminClient.PostJson("/api/purchases", Seed.Purchase("SUITE-1"), "suite-1")).Expect(HttpStatusCode.Created);
        var keys = new Dictionary<string, string?>
        {
            ["no key"] = null, ["unknown key"] = "cp_unknown_0000000000000000000000", ["malformed header"] = "Basic YWxhZGRpbjpvcGVu",
            ["checkout key"] = await app.CreateKeyAsync("checkout"), ["finance key"] = await app.CreateKeyAsync("finance"),
            ["admin-only key"] = await app.CreateKeyAsync("admin"),
        };
        var document = await (await app.Client().GetAsync("/swagger/v1/swagger.json")).Expect(HttpStatusCode.OK);
        var values = new Dictionary<string, string>
        {
            ["slug"] = "literacy-2026", ["id"] = paid.Str("id"), ["code"] = paid.Str("receiptCode"),
        };

        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            // HEAD runs the GET's handler (public reads answer both) and its answers carry no body to inspect: the GET covers it.
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Where(m => m != "HEAD")
                .Select(m => (Method: m, Route: e.RoutePattern.RawText!)))
            .Distinct().ToList();
        endpoints.Count.ShouldBeGreaterThan(25);

        var cases = new List<Case>();
        foreach (var (method, route) in endpoints)
        {
            var template = RouteToOpenApi(route);
            var operation = document["paths"]?[template]?[method.ToLowerInvariant()];
            operation.ShouldNotBeNull($"{method} {route} is not in the OpenAPI document");
            var path = FillPath(template, values);
            var schema = Resolve(document, operation["requestBody"]?["content"]?["application/json"]?["schema"]);
            var baseBody = schema is null ? null : Example(document, schema);
            var body = baseBody?.ToJsonString();
            var json = "application/json";

            foreach (var (name, key) in keys) cases.Add(new(method, path, body ?? (method is "POST" or "PUT" ? "{}" : null), json, key, true, null, name));
            if (schema is not null && baseBody is JsonObject { Count: > 0 } obj)
            {
                foreach (var field in Fields(document, schema, ""))
                    foreach (var (value, named) in FieldValues)
                        cases.Add(new(method, path, Replace(obj, field, value), json, admin, true, named ? field : null, $"{field} = {Shorten(value)}"));
                var first = obj.First().Key;
                cases.Add(new(method, path, $"{{\"{first.ToUpperInvariant()}\":{obj[first]?.ToJsonString() ?? "null"}," + obj.ToJsonString()[1..], json, admin, true,
                    first, "a member twice"));
                var unknown = obj.DeepClone().AsObject();
                unknown["notAField"] = 1;
                cases.Add(new(method, path, unknown.ToJsonString(), json, admin, true, "notAField", "an unknown member"));
            }
            if (method is "POST" or "PUT" or "DELETE")
            {
                foreach (var (raw, what) in WholeBodies())
                    cases.Add(new(method, path, raw, json, admin, true, null, what));
                cases.Add(new(method, path, body ?? "{}", "text/plain", admin, true, null, "text/plain"));
                cases.Add(new(method, path, body ?? "{}", "application/x-www-form-urlencoded", admin, true, null, "a form"));
                cases.Add(new(method, path, body ?? "{}", json, admin, false, null, "no Idempotency-Key"));
            }
            foreach (var parameter in template.Split('/').Where(s => s.StartsWith('{')))
                foreach (var odd in PathValues)
                    cases.Add(new(method, template.Replace(parameter, odd), body, json, admin, true, null, $"{parameter} = {Shorten(odd)}"));
            foreach (var query in (operation["parameters"]?.AsArray() ?? []).Where(p => p!["in"]?.GetValue<string>() == "query").Select(p => p!["name"]!.GetValue<string>()))
                foreach (var odd in QueryValues)
                    cases.Add(new(method, $"{path}?{query}={odd}", body, json, admin, true, null, $"?{query}={Shorten(odd)}"));
        }
        cases.Count.ShouldBeGreaterThanOrEqualTo(2000);

        var failures = new List<Failure>();
        var counts = await CountsAsync();
        var client = app.Client();
        foreach (var c in cases)
        {
            using var request = new HttpRequestMessage(new HttpMethod(c.Method), c.Path);
            if (c.Body is not null) request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(c.Body)) { Headers = { ContentType = MediaTypeHeaderValue.Parse(c.ContentType) } };
            if (c.Body == InvalidUtf8) request.Content = new ByteArrayContent([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]) { Headers = { ContentType = new("application/json") } };
            if (c.Key is not null) request.Headers.TryAddWithoutValidation("Authorization", c.Key.StartsWith("Basic ", StringComparison.Ordinal) ? c.Key : $"Bearer {c.Key}");
            if (c.KeyHeader) request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            using var response = await client.SendAsync(request);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            void Fail(string why) => failures.Add(new(c, status, why, text.Length > 300 ? text[..300] : text));

            // Kestrel refuses some request targets (a NUL in the path) before the app sees them: a bare 400 that closes the connection.
            var refusedByServer = status == 400 && text.Length == 0 && response.Headers.ConnectionClose == true && c.What.StartsWith('{');
            if (status >= 500) Fail("a 5xx");
            else if (refusedByServer) continue;
            else if (c.NamedField is { } field && (status != 400 || !Names(text, field))) Fail($"not a 400 naming {field}");
            if (status >= 400)
            {
                if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") Fail("a refusal that is not a problem");
                var now = await CountsAsync();
                if (now != counts) Fail($"a refusal that wrote: {counts} → {now}");
            }
            else counts = await CountsAsync(); // a hostile value that is valid may write: later cases compare with that
        }
        Console.WriteLine($"Hostile input: {cases.Count} cases over {endpoints.Count} endpoints.");
        failures.ShouldBeEmpty(string.Join('\n', failures.Take(40).Select(f => $"{f.Case.Method} {Shorten(f.Case.Path)} [{f.Case.What}] → {f.Status}: {f.Why} {f.Answer}")));
        (await (await adminClient.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK))["ok"]!.GetValue<bool>().ShouldBeTrue();
    }

    private const string InvalidUtf8 = "<invalid utf-8>";

    private static IEnumerable<(string Body, string What)> WholeBodies() =>
    [
        ("", "an empty body"), ("{", "truncated JSON"), ("null", "null"), ("[]", "an array"), ("123", "a number"), ("\"text\"", "a string"),
        ("{\"a\":", "a dangling member"), ("{'slug':'x'}", "single quotes"), ("{\"slug\":\"x\",}", "a trailing comma"), ("\ufeff{}", "a byte-order mark"),
        (new string('[', 5000) + new string(']', 5000), "nesting 5,000 deep"), ("{\"x\":" + new string('[', 100) + new string(']', 100) + "}", "nesting under a member"),
        ("{\"slug\":\"" + new string('x', 200_000) + "\"}", "a body over the size limit"), (InvalidUtf8, "invalid UTF-8"), ("{\"amount\":1e99999}", "an overflowing number"),
    ];

    /// <summary>The counts a refused request must leave as they were.</summary>
    private Task<string> CountsAsync() => app.WithDbAsync(async db => string.Join(',',
        await db.Purchases.CountAsync(), await db.Ledger.CountAsync(), await db.Charities.CountAsync(), await db.Campaigns.CountAsync(),
        await db.Remittances.CountAsync(), await db.RemittanceLines.CountAsync(), await db.Refunds.CountAsync(), await db.CampaignTotals.SumAsync(t => t.Confirmed + t.Pending)));

    private static bool Names(string problem, string field)
    {
        try
        {
            return JsonNode.Parse(problem)?["errors"]?.AsObject().Any(e => string.Equals(e.Key, field, StringComparison.OrdinalIgnoreCase)) == true;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <summary>"/api/remittances/{id:guid}/" → "/api/remittances/{id}", as the document names paths.</summary>
    private static string RouteToOpenApi(string route) =>
        string.Join('/', route.TrimEnd('/').Split('/').Select(s => s.StartsWith('{') ? "{" + s.Trim('{', '}').Split(':')[0] + "}" : s));

    private static string FillPath(string template, Dictionary<string, string> values) =>
        string.Join('/', template.Split('/').Select(s => s.StartsWith('{') ? values.GetValueOrDefault(s.Trim('{', '}'), "x") : s));

    private static JsonNode? Resolve(JsonNode document, JsonNode? schema) =>
        schema?["$ref"]?.GetValue<string>() is { } reference ? document["components"]!["schemas"]![reference.Split('/')[^1]] : schema;

    /// <summary>The schema's example when it has one (a valid body), else a body of the right shape.</summary>
    private static JsonNode? Example(JsonNode document, JsonNode schema)
    {
        if (schema["example"] is { } example) return example.DeepClone();
        return schema["type"]?.GetValue<string>() switch
        {
            "object" => new JsonObject((schema["properties"]?.AsObject() ?? []).Select(p =>
                KeyValuePair.Create(p.Key, Resolve(document, p.Value) is { } s ? Example(document, s) : null))),
            "integer" => JsonValue.Create(1),
            "boolean" => JsonValue.Create(false),
            "array" => new JsonArray(),
            "string" when schema["format"]?.GetValue<string>() == "date-time" => JsonValue.Create("2026-06-01T00:00:00Z"),
            "string" => JsonValue.Create("x"),
            _ => null,
        };
    }

    /// <summary>Every field of the schema, nested ones as "payment.method".</summary>
    private static IEnumerable<string> Fields(JsonNode document, JsonNode schema, string prefix)
    {
        foreach (var (name, property) in schema["properties"]?.AsObject() ?? [])
        {
            yield return prefix + name;
            if (Resolve(document, property) is { } nested && nested["properties"] is not null)
                foreach (var inner in Fields(document, nested, $"{prefix}{name}.")) yield return inner;
        }
    }

    private static string Replace(JsonObject body, string field, string value)
    {
        var copy = body.DeepClone().AsObject();
        var parts = field.Split('.');
        var target = copy;
        foreach (var part in parts[..^1]) target = target[part] as JsonObject ?? (JsonObject)(target[part] = new JsonObject());
        target[parts[^1]] = "__HOSTILE__";
        return copy.ToJsonString().Replace("\"__HOSTILE__\"", value, StringComparison.Ordinal);
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
