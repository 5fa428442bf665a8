using CharityPromo.Api.Audit;
using CharityPromo.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Access;

/// <summary>
/// <c>keys create --name NAME --scopes admin,checkout [--expires-in 90d]</c>, <c>keys rotate --name NAME [--grace 24h]
/// [--expires-in 90d]</c>, <c>keys list</c>, <c>keys revoke --name NAME</c>: key management with the API's own
/// configuration. A new key is printed once, alone on the last line.
/// </summary>
internal static class KeysCli
{
    private const string Usage = """
        Usage:
          keys create --name NAME --scopes admin,checkout,finance,monitor [--expires-in 90d]
          keys rotate --name NAME [--grace 24h] [--expires-in 90d]
          keys list
          keys revoke --name NAME
        Durations are a whole number with s, m, h or d.
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
            case "rotate":
                return await RotateAsync(db, options, stdout, stderr, now);
            case "list":
                foreach (var k in await db.ApiKeys.AsNoTracking().OrderBy(k => k.Name).ToListAsync())
                {
                    var state = k.RevokedUtc is { } r ? $"revoked {Iso(r)}" : k.ExpiresUtc <= now ? "expired" : "active";
                    await stdout.WriteLineAsync($"{k.Name}\t{k.Prefix}…\t{k.Scopes}\tcreated {Iso(k.CreatedUtc)}\texpires {(k.ExpiresUtc is { } e ? Iso(e) : "never")}"
                        + $"\tlast used {(k.LastUsedUtc is { } u ? Iso(u) : "never")}\t{state}");
                }
                return 0;
            case "revoke":
                if (!options.TryGetValue("name", out var name))
                {
                    await stderr.WriteLineAsync("keys revoke needs --name.");
                    return 2;
                }
                return await RevokeAsync(db, name, stdout, stderr, now);
            default:
                await stderr.WriteLineAsync(Usage);
                return 2;
        }
    }

    /// <summary>
    /// Revokes every key of the named key's API client: the current one and those a rotation left working for their grace
    /// period ("NAME (rotated …)"), which are the same client's. Each revoked key is printed and audited.
    /// </summary>
    private static async Task<int> RevokeAsync(AppDb db, string name, TextWriter stdout, TextWriter stderr, DateTime now)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        var clients = db.ApiKeys.Where(k => k.Name == name).Select(k => k.ClientId);
        // Oldest first: a rotation made the old key first (its id, a version 7 GUID, says when even where the clock tied).
        var keys = (await db.ApiKeys.Where(k => clients.Contains(k.ClientId) && k.RevokedUtc == null).ToListAsync()).OrderBy(k => k.CreatedUtc).ThenBy(k => k.Id).ToList();
        if (keys.Count == 0)
        {
            await stderr.WriteLineAsync($"No active key named '{name}'.");
            return 1;
        }
        foreach (var key in keys)
        {
            key.RevokedUtc = now;
            await AuditTrail.RecordAsync(db, AuditTrail.CliActor(), "key.revoked", $"key:{key.Name}",
                new AuditChanges().Set("prefix", null, key.Prefix).Set("revokedUtc", null, now), now);
        }
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        foreach (var key in keys) await stdout.WriteLineAsync($"Revoked '{key.Name}' ({key.Prefix}…).");
        return 0;
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

        if (!TryDuration(options, "expires-in", out var lifetime, stderr)) return 2;

        var (key, row) = NewKey(name, string.Join(',', scopes), clientId: null, now, lifetime);
        db.ApiKeys.Add(row);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await db.SaveChangesAsync();
            await AuditTrail.RecordAsync(db, AuditTrail.CliActor(), "key.created", $"key:{name}", Recorded(row), now);
            await transaction.CommitAsync();
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            await stderr.WriteLineAsync($"A key named '{name}' already exists; revoked names stay taken so logs stay unambiguous.");
            return 1;
        }
        if (row.ExpiresUtc is null)
            await stderr.WriteLineAsync($"Warning: '{name}' never expires. Keys that leak stay useful until revoked; give it --expires-in (like 90d) and rotate before then.");
        await stdout.WriteLineAsync($"Created key '{name}' with scopes {row.Scopes}{Expiry(row)}. It is shown only now:");
        await stdout.WriteLineAsync(key);
        return 0;
    }

    /// <summary>
    /// A new key under the name, for the same API client and scopes; the old one is renamed "NAME (rotated …)" and stays
    /// valid for the grace period (24 h unless told), so the checkout can switch without a failed request.
    /// </summary>
    private static async Task<int> RotateAsync(AppDb db, Dictionary<string, string> options, TextWriter stdout, TextWriter stderr, DateTime now)
    {
        if (!options.TryGetValue("name", out var name))
        {
            await stderr.WriteLineAsync("keys rotate needs --name.");
            return 2;
        }
        if (!TryDuration(options, "grace", out var grace, stderr) || !TryDuration(options, "expires-in", out var lifetime, stderr)) return 2;
        var old = await db.ApiKeys.SingleOrDefaultAsync(k => k.Name == name && k.RevokedUtc == null && (k.ExpiresUtc == null || k.ExpiresUtc > now));
        if (old is null)
        {
            await stderr.WriteLineAsync($"No active key named '{name}'.");
            return 1;
        }

        // Unless told, the new key lives as long as the old one was given.
        lifetime ??= old.ExpiresUtc - old.CreatedUtc;
        await using var transaction = await db.Database.BeginTransactionAsync();
        var retiring = now + (grace ?? TimeSpan.FromHours(24));
        old.Name = $"{name} (rotated {Iso(now)})";
        old.ExpiresUtc = old.ExpiresUtc is { } e && e < retiring ? e : retiring;
        await db.SaveChangesAsync(); // frees the name first
        var (key, row) = NewKey(name, old.Scopes, old.ClientId, now, lifetime);
        db.ApiKeys.Add(row);
        await db.SaveChangesAsync();
        await AuditTrail.RecordAsync(db, AuditTrail.CliActor(), "key.rotated", $"key:{name}", Recorded(row)
            .Set("retiredPrefix", null, old.Prefix).Set("retiredExpiresUtc", null, old.ExpiresUtc), now);
        await transaction.CommitAsync();
        await stdout.WriteLineAsync($"Rotated '{name}': the old key ({old.Prefix}…) works until {Iso(old.ExpiresUtc.Value)}; the new one has scopes {row.Scopes}{Expiry(row)}. It is shown only now:");
        await stdout.WriteLineAsync(key);
        return 0;
    }

    private static (string Key, ApiKey Row) NewKey(string name, string scopes, Guid? clientId, DateTime now, TimeSpan? lifetime)
    {
        var key = ApiKeys.Generate();
        var row = new ApiKey
        {
            Name = name, Hash = ApiKeys.Hash(key), Prefix = ApiKeys.DisplayPrefix(key), Scopes = scopes, CreatedUtc = now,
            ExpiresUtc = lifetime is { } l ? now + l : null,
        };
        row.ClientId = clientId ?? row.Id;
        return (key, row);
    }

    /// <summary>What the audit trail keeps of a new key: never the key or its hash.</summary>
    private static AuditChanges Recorded(ApiKey row) =>
        new AuditChanges().Set("prefix", null, row.Prefix).Set("scopes", null, row.Scopes).Set("expiresUtc", null, row.ExpiresUtc);

    private static string Expiry(ApiKey row) => row.ExpiresUtc is { } e ? $", expiring {Iso(e)}" : "";

    private static string Iso(DateTime at) => at.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>"90d", "12h", "30m", "45s" → a positive duration; false (with a message) when malformed. Absent: null.</summary>
    private static bool TryDuration(Dictionary<string, string> options, string option, out TimeSpan? duration, TextWriter stderr)
    {
        duration = null;
        if (!options.TryGetValue(option, out var text)) return true;
        if (text.Length >= 2 && long.TryParse(text[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            && n is > 0 and <= 100_000 && text[^1] is 's' or 'm' or 'h' or 'd')
        {
            duration = text[^1] switch { 's' => TimeSpan.FromSeconds(n), 'm' => TimeSpan.FromMinutes(n), 'h' => TimeSpan.FromHours(n), _ => TimeSpan.FromDays(n) };
            return true;
        }
        stderr.WriteLine($"--{option} must be a whole number with s, m, h or d, like 90d.");
        return false;
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
