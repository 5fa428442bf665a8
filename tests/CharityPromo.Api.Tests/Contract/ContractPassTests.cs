using System.Net;
using System.Text.Json.Nodes;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Contract;

/// <summary>
/// The contract pass: the API's answers, and what it accepts, checked against docs/openapi.json by Stoplight Prism's
/// validating proxy, over <see cref="ContractJourney"/>.
/// </summary>
public class ContractPassTests(ContractFixture fixture) : IClassFixture<ContractFixture>
{
    private static JsonNode Document(string path) => JsonNode.Parse(File.ReadAllText(path))!;

    [Fact]
    public async Task EveryAnswerOfTheJourneyMatchesTheDocumentAndTheApiRefusesWhatItCallsInvalid()
    {
        var pass = new ContractPass(fixture, fixture.Prism.Address, Document(ContractFixture.Document));
        var failures = await pass.WalkAsync(ContractJourney.Steps);
        failures.ShouldBeEmpty(string.Join('\n', failures));
    }

    [Fact]
    public async Task AWrongSchemaInACopyOfTheDocumentFailsThePassNamingTheOperationAndTheField()
    {
        var admin = fixture.App.Client(fixture.Keys[Caller.Admin]);
        await (await admin.PostJson("/api/charities", Seed.Charity("wrong-schema", "Wrong Schema"))).Expect(HttpStatusCode.Created);
        var read = ContractStep.Get("GetCharity", "/api/charities/wrong-schema", 200);

        var copy = Document(ContractFixture.Document);
        copy["components"]!["schemas"]!["CharityResponse"]!["properties"]!["name"] = new JsonObject { ["type"] = "integer" };
        copy["paths"]!["/api/charities/{slug}"]!["get"]!["responses"]!.AsObject().Remove("404");
        var missing = ContractStep.Get("GetCharity", "/api/charities/nobody", 404);
        var path = Path.Combine(Path.GetTempPath(), $"openapi-wrong-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, copy.ToJsonString());
        try
        {
            await using var wrong = await PrismProxy.StartAsync(path, fixture.App.Address);
            var pass = new ContractPass(fixture, wrong.Address, copy);
            (await pass.SendAsync(read)).ShouldHaveSingleItem().ShouldStartWith("GetCharity (GET /api/charities/wrong-schema → 200): the answer breaks the document at response body name");
            // An answer with a status the document does not list fails it too.
            (await pass.SendAsync(missing)).ShouldHaveSingleItem().ShouldStartWith("GetCharity (GET /api/charities/nobody → 404): the answer breaks the document at response");
        }
        finally
        {
            File.Delete(path);
        }
        var real = new ContractPass(fixture, fixture.Prism.Address, Document(ContractFixture.Document));
        (await real.SendAsync(read)).ShouldBeEmpty();
        (await real.SendAsync(missing)).ShouldBeEmpty();
    }
}
