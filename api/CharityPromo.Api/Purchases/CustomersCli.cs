using CharityPromo.Api.Data;

namespace CharityPromo.Api.Purchases;

/// <summary>
/// <c>customers export-key</c>: prints the customer-reference key a server generated and kept in its database, as
/// <c>base64:…</c> on the last line, to move into <c>Security__CustomerRefKey</c> (Production requires it there).
/// </summary>
internal static class CustomersCli
{
    public static async Task<int> RunAsync(AppDb db, string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args is not ["export-key"])
        {
            await stderr.WriteLineAsync("Usage: customers export-key");
            return 2;
        }
        if (await CustomerRefHasher.ExportStoredAsync(db) is not { } key)
        {
            await stderr.WriteLineAsync("This database keeps no generated key: Security__CustomerRefKey has always been configured.");
            return 1;
        }
        await stderr.WriteLineAsync("Set this as Security__CustomerRefKey (a secret: keep it out of the repository and the logs):");
        await stdout.WriteLineAsync(key);
        return 0;
    }
}
