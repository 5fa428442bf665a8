using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>The API as operators start it: <c>dotnet /path/CharityPromo.Api.dll</c> from any directory, logging JSON lines.</summary>
[Trait("Provider", "Sqlite")]
public sealed class ContentRootTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "charitypromo-elsewhere", Guid.NewGuid().ToString("N"));
    private ApiProcess? _api;

    [Fact]
    public async Task StartedFromAnotherDirectoryItLogsJsonWithTraceIdsAndRouteTemplatesAndNoRequestPaths()
    {
        Directory.CreateDirectory(_folder);
        _api = new ApiProcess($"Data Source={Path.Combine(_folder, "api.db")}", "Sqlite") { WorkingDirectory = _folder };
        _api.Environment["Logging__LogLevel__Default"] = "Information"; // appsettings.json's narrower levels must still apply
        var client = await _api.StartAsync();
        (await client.GetAsync("/api/purchases?orderId=SECRET-ORDER-42")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        // A caller's trace: HttpClient sends it on as traceparent.
        var caller = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C).Start();
        var traceId = caller.TraceId.ToString();
        (await client.GetAsync("/api/receipts/SECRET-CODE-4242")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        caller.Stop();

        static string? Route(JsonNode line) => line["State"]?["Route"]?.GetValue<string>();
        List<JsonNode> Lines() => _api.Output.Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!).ToList();
        for (var i = 0; i < 100 && !Lines().Any(l => Route(l) == "/api/receipts/{code}"); i++) await Task.Delay(50);
        var output = string.Join('\n', _api.Output);
        _api.Output.ShouldAllBe(l => l.StartsWith('{'), output); // every line is one JSON object

        Lines().ShouldContain(l => l["State"]!["ContentRoot"] != null && l["State"]!["ContentRoot"]!.GetValue<string>().TrimEnd('/') == AppContext.BaseDirectory.TrimEnd('/'), output);
        var request = Lines().Single(l => Route(l) == "/api/receipts/{code}");
        request.Str("Category").ShouldBe("CharityPromo.Api.Requests");
        request.Str("State.Method").ShouldBe("GET");
        request["State"]!["StatusCode"]!.GetValue<int>().ShouldBe(404);
        request["Scopes"]!.AsArray().ShouldContain(s => s!["TraceId"] != null && s["TraceId"]!.GetValue<string>() == traceId, output);
        // The route's template, never the path or the query: receipt codes and order ids stay out of the log at every level.
        _api.Output.ShouldNotContain(l => l.Contains("SECRET", StringComparison.Ordinal), output);
    }

    public void Dispose()
    {
        _api?.Dispose();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
