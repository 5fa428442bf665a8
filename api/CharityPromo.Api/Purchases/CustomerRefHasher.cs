using System.Security.Cryptography;
using System.Text;
using CharityPromo.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Purchases;

/// <summary>
/// Keeps customer references only as HMAC-SHA256 with a server key: enough to count a customer's
/// purchases for loyalty, useless for finding out who they are. The key comes from
/// <c>Security__CustomerRefKey</c> (at least 32 bytes: text, or <c>base64:…</c>). In Production the API refuses to start
/// without it: a key kept in the same database as the hashes is in every backup beside them. Elsewhere (development,
/// the demo, tests) one is generated once and kept in the database; <c>customers export-key</c> prints it to move out.
/// </summary>
internal sealed class CustomerRefHasher
{
    public const string ConfigKey = "Security:CustomerRefKey";
    public const int MinKeyBytes = 32;
    private const string SecretName = "customer-ref-hmac";
    private const string Base64Prefix = "base64:";
    private byte[]? _key;

    public string Hash(string customerRef)
    {
        var key = _key ?? throw new InvalidOperationException("The customer-reference key is loaded at start-up.");
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(customerRef.Trim())));
    }

    /// <summary>
    /// The key of the writes' request fingerprints (<see cref="Infrastructure.IdempotencyKeyFilter"/>): derived from the
    /// same secret for another purpose, so a fingerprint of a body that carries a customer reference cannot be reversed by
    /// trying likely references, and can never be mistaken for, or compared with, a customer hash.
    /// </summary>
    public byte[] FingerprintKey => _fingerprintKey ??= HMACSHA256.HashData(
        _key ?? throw new InvalidOperationException("The customer-reference key is loaded at start-up."), "request-fingerprint"u8);

    private byte[]? _fingerprintKey;

    /// <summary>
    /// Loads the key at start-up (after migrations): the configured one; else, outside Production, the one kept in the
    /// database (created the first time).
    /// </summary>
    public async Task LoadKeyAsync(AppDb db, IConfiguration config, IHostEnvironment environment, TimeProvider clock, CancellationToken ct = default)
    {
        if (config[ConfigKey] is { Length: > 0 } configured)
        {
            (_key, _fingerprintKey) = (Parse(configured), null);
            return;
        }
        if (environment.IsProduction())
            throw new InvalidOperationException(
                $"Security__CustomerRefKey is not set. In Production it must come from the environment or a secret store: at least {MinKeyBytes} " +
                "random bytes, as text or base64:…. A server that kept a generated key in its database so far: " +
                "`dotnet CharityPromo.Api.dll customers export-key` prints it, so shoppers' loyalty history carries on.");
        (_key, _fingerprintKey) = (await ServerSecret.LoadOrCreateAsync(db, SecretName, clock, ct), null);
    }

    private static byte[] Parse(string configured)
    {
        byte[] key;
        try
        {
            key = configured.StartsWith(Base64Prefix, StringComparison.Ordinal) ? Convert.FromBase64String(configured[Base64Prefix.Length..]) : Encoding.UTF8.GetBytes(configured);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException("Security__CustomerRefKey starts with base64: but the rest is not base64.");
        }
        return key.Length >= MinKeyBytes ? key
            : throw new InvalidOperationException($"Security__CustomerRefKey must be at least {MinKeyBytes} bytes; it is {key.Length}.");
    }

    /// <summary>The key kept in the database, as <c>base64:…</c> for Security__CustomerRefKey; null when none was generated.</summary>
    public static async Task<string?> ExportStoredAsync(AppDb db, CancellationToken ct = default) =>
        await db.ServerSecrets.AsNoTracking().Where(s => s.Name == SecretName).Select(s => s.Value).SingleOrDefaultAsync(ct) is { } stored
            ? Base64Prefix + Convert.ToBase64String(stored)
            : null;
}
