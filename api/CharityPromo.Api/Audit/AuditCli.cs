using System.Text.Json;
using CharityPromo.Api.Data;

namespace CharityPromo.Api.Audit;

/// <summary><c>audit verify</c>: checks the audit trail's hash chain with the API's own configuration; exit 0 when whole.</summary>
internal static class AuditCli
{
    public static async Task<int> RunAsync(AppDb db, string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args is not (["verify"] or ["verify", "--head", _]))
        {
            await stderr.WriteLineAsync("Usage: audit verify [--head HASH]   (HASH: the head an earlier check printed, kept elsewhere)");
            return 2;
        }
        var result = await AuditChain.VerifyAsync(db, CancellationToken.None, args.ElementAtOrDefault(2));
        await stdout.WriteLineAsync(JsonSerializer.Serialize(result, JsonSerializerOptions.Web));
        await (result.Ok ? stdout : stderr).WriteLineAsync(result.Ok
            ? $"The audit trail is whole: {result.Entries} entries ({result.Unchained} from before the chain began), head {result.Head ?? "none"}."
            : $"The audit trail was altered{(result.BrokenAt is { } at ? $" at entry {at}" : "")}: {result.Problem}");
        return result.Ok ? 0 : 1;
    }
}
