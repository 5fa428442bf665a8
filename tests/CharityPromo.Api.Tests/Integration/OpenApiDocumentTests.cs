using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>
/// docs/openapi.json is the document integrators generate clients from, and what scripts/test.sh lints and the
/// generated-client tests build on: it must be exactly what the API serves.
/// </summary>
public class OpenApiDocumentTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    /// <summary>Where the committed document says the API is: scripts/run.sh's address (the API fills in its own when serving).</summary>
    public const string CommittedServer = "http://127.0.0.1:5080";

    [Fact]
    public async Task TheCommittedDocumentIsTheOneTheApiServes()
    {
        var served = await (await app.Client().GetAsync("/swagger/v1/swagger.json")).Expect(HttpStatusCode.OK);
        served["servers"]![0]!.Str("url").ShouldBe(app.Address.ToString().TrimEnd('/'));
        served["info"]!["license"]!.Str("url").ShouldBe($"{app.Address.ToString().TrimEnd('/')}/license");
        served["servers"]![0]!["url"] = CommittedServer;
        served["info"]!["license"]!["url"] = $"{CommittedServer}/license";
        var expected = served.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

        var committed = Repository.PathTo("docs", "openapi.json");
        var actual = File.Exists(committed) ? await File.ReadAllTextAsync(committed) : "";
        if (actual != expected && Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(committed, expected);
            actual = expected;
        }
        actual.ShouldBe(expected, "docs/openapi.json differs from the API's document: run `UPDATE_OPENAPI=1 dotnet test --filter OpenApiDocumentTests` and commit it.");
    }

    [Fact]
    public async Task EveryOperationIsNamedSummarisedAndSaysWhoMayCallIt()
    {
        var document = await (await app.Client().GetAsync("/swagger/v1/swagger.json")).Expect(HttpStatusCode.OK);
        var operations = document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => (Path: p.Key, Method: o.Key, Operation: o.Value!))).ToList();
        operations.Count.ShouldBeGreaterThan(25);
        foreach (var (path, method, operation) in operations)
        {
            operation["operationId"].ShouldNotBeNull($"{method} {path}");
            operation["summary"].ShouldNotBeNull($"{method} {path}");
            operation["security"].ShouldNotBeNull($"{method} {path}: an anonymous operation says so with an empty requirement");
            foreach (var error in operation["responses"]!.AsObject().Where(r => string.CompareOrdinal(r.Key, "400") >= 0))
                error.Value!["content"]!["application/problem+json"]!["schema"]!.Str("$ref")
                    .ShouldBe("#/components/schemas/HttpValidationProblemDetails", $"{method} {path} {error.Key}");
        }
        document["paths"]!["/api/campaigns/{slug}"]!["get"]!["security"]!.AsArray().Single()!.AsObject().ShouldBeEmpty();
        document["components"]!["schemas"]!["DonationResponse"]!["example"]!.Long("total").ShouldBe(351);
        document["paths"]!["/api/reports/pledges.csv"]!["get"]!["responses"]!["200"]!["content"]!.AsObject().Select(c => c.Key).ShouldBe(["text/csv"]);
        (await app.Client().GetStringAsync("/license")).ShouldContain("proprietary");
    }
}
