using System.Security.Cryptography;
using System.Text;
using CharityPromo.Api.Data;

namespace CharityPromo.Api.Purchases;

/// <summary>
/// Keeps customer references only as HMAC-SHA256 with a server key: enough to count a customer's
/// purchases for loyalty, useless for finding out who they are. The key comes from
/// <c>Security__CustomerRefKey</c>, or is generated once and kept in the database.
/// </summary>
internal sealed class CustomerRefHasher
{
    public const string ConfigKey = "Security:CustomerRefKey";
    private const string SecretName = "customer-ref-hmac";
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

    /// <summary>Loads the key at start-up (after migrations), creating and storing one the first time when none is configured.</summary>
    public async Task LoadKeyAsync(AppDb db, IConfiguration config, TimeProvider clock, CancellationToken ct = default)
    {
        if (config[ConfigKey] is { Length: > 0 } configured)
        {
            (_key, _fingerprintKey) = (Encoding.UTF8.GetBytes(configured), null);
            return;
        }
        (_key, _fingerprintKey) = (await ServerSecret.LoadOrCreateAsync(db, SecretName, clock, ct), null);
    }
}
