using System.Text.Json.Nodes;

namespace CharityPromo.Api.Tests.Contract;

/// <summary>Every documented operation, and each status it documents, is in the contract pass's journey.</summary>
public class ContractCoverageTests
{
    private static readonly JsonNode Document = JsonNode.Parse(File.ReadAllText(ContractFixture.Document))!;

    [Fact]
    public void EveryDocumentedStatusOfEveryOperationHasAJourneyStepOrAReasonItCannot()
    {
        var requests = ContractJourney.Steps.Where(s => s.Action is null).ToList();
        var covered = requests.Select(s => (s.Operation, s.Status))
            .Concat(requests.Where(s => ContractPass.IsSecuredSuccess(s, Document)).Select(s => (s.Operation, 401)))
            .Concat(requests.Where(s => s.Forbidden is not null).Select(s => (s.Operation, 403)))
            .ToHashSet();
        var rateLimited = requests.Any(s => s.Status == 429); // one 429 shows the shape every operation documents

        var missing = new List<string>();
        var operations = ContractPass.Operations(Document).ToList();
        foreach (var (method, path, operationId, operation) in operations)
            foreach (var status in operation["responses"]!.AsObject().Select(r => int.Parse(r.Key)))
                if (!covered.Contains((operationId, status)) && !(status == 429 && rateLimited) && !ContractJourney.NotExercised.ContainsKey((operationId, status)))
                    missing.Add($"{operationId} ({method} {path}) {status}");
        missing.ShouldBeEmpty($"Add a step to tests/CharityPromo.Api.Tests/Contract/ContractJourney.cs for:\n{string.Join('\n', missing)}");

        var documented = operations.SelectMany(o => o.Operation["responses"]!.AsObject().Select(r => (o.OperationId, int.Parse(r.Key)))).ToHashSet();
        requests.Select(s => s.Operation).Except(operations.Select(o => o.OperationId)).ShouldBeEmpty("steps name operations the document does not have");
        ContractJourney.NotExercised.Keys.Where(k => !documented.Contains(k) || covered.Contains(k)).ShouldBeEmpty("NotExercised lists statuses that are undocumented or exercised");
    }
}
