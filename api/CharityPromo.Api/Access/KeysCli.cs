using CharityPromo.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Access;

/// <summary>
/// <c>keys create --name NAME --scopes admin,checkout</c>, <c>keys list</c>, <c>keys revoke --name NAME</c>:
/// key management with the API's own configuration. A new key is printed once, alone on the last line.
/// </summary>
internal static class KeysCli
{
    private const string Usage = """
        Usage:
          keys create --name NAME --scopes admin,checkout,finance
          keys list
          keys revoke --name NAME
        """;

    public static async Task<int> RunAsync(AppDb db, string[] args, TextWriter stdout, TextWriter stderr, DateTime now)
    {
        var verb = args.ElementAtOrDefault(0);
        var options = ParseOptions(args.Skip(1).ToArray());
        if (options is null)
        {
            await stderr.WriteLineAsync(Usage);
            return 2;
        }

        switch (verb)
        {
            case "create":
                return await CreateAsync(db, options, stdout, stderr, now);
            case "list":
                foreach (var k in await db.ApiKeys.AsNoTracking().OrderBy(k => k.Name).ToListAsync())
                    await stdout.WriteLineAsync($"{k.Name}\t{k.Prefix}…\t{k.Scopes}\tcreated {k.CreatedUtc:yyyy-MM-ddTHH:mm:ssZ}\t{(k.RevokedUtc is { } r ? $"revoked {r:yyyy-MM-ddTHH:mm:ssZ}" : "active")}");
                return 0;
            case "revoke":
                if (!options.TryGetValue("name", out var name))
                {
                    await stderr.WriteLineAsync("keys revoke needs --name.");
                    return 2;
                }
                var revoked = await db.ApiKeys.Where(k => k.Name == name && k.RevokedUtc == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedUtc, now));
                if (revoked == 0)
                {
                    await stderr.WriteLineAsync($"No active key named '{name}'.");
                    return 1;
                }
                await stdout.WriteLineAsync($"Revoked '{name}'.");
                return 0;
            default:
                await stderr.WriteLineAsync(Usage);
                return 2;
        }
    }

    private static async Task<int> CreateAsync(AppDb db, Dictionary<string, string> options, TextWriter stdout, TextWriter stderr, DateTime now)
    {
        if (!options.TryGetValue("name", out var name) || name.Length is 0 or > Limits.Name)
        {
            await stderr.WriteLineAsync("keys create needs --name (1 to 200 characters).");
            return 2;
        }
        var scopes = (options.GetValueOrDefault("scopes") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
        if (scopes.Length == 0 || scopes.Any(s => !Scopes.All.Contains(s)))
        {
            await stderr.WriteLineAsync($"--scopes must list one or more of: {string.Join(", ", Scopes.All)}.");
            return 2;
        }

        var key = ApiKeys.Generate();
        db.ApiKeys.Add(new ApiKey { Name = name, Hash = ApiKeys.Hash(key), Prefix = ApiKeys.DisplayPrefix(key), Scopes = string.Join(',', scopes), CreatedUtc = now });
        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            await stderr.WriteLineAsync($"A key named '{name}' already exists; revoked names stay taken so logs stay unambiguous.");
            return 1;
        }
        await stdout.WriteLineAsync($"Created key '{name}' with scopes {string.Join(',', scopes)}. It is shown only now:");
        await stdout.WriteLineAsync(key);
        return 0;
    }

    /// <summary>"--name x --scopes a,b" (or "--name=x") → {name: x, scopes: a,b}; null when malformed.</summary>
    private static Dictionary<string, string>? ParseOptions(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--")) return null;
            var option = args[i][2..];
            var eq = option.IndexOf('=');
            if (eq >= 0) options[option[..eq]] = option[(eq + 1)..];
            else if (i + 1 < args.Length) options[option] = args[++i];
            else return null;
        }
        return options;
    }
}
