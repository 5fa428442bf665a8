using System.Security.Cryptography;
using System.Text;
using CharityPromo.Api.Data;
using Microsoft.Extensions.Options;

namespace CharityPromo.Api.Webhooks;

/// <summary>
/// Endpoint signing secrets. A secret must be usable to sign, so unlike an API key it cannot be kept as a hash: it is
/// kept encrypted with AES-256-GCM under a key from <c>Webhooks__SecretKey</c> (or, unset, one generated once and kept
/// in the database, which protects a backup of the webhook tables alone but not of the whole database). The clear
/// secret exists only in the answer that shows it once and in memory while signing.
/// </summary>
internal sealed class WebhookSecrets(IOptions<WebhookOptions> options)
{
    private const string SecretName = "webhook-secret-key";
    private const string Prefix = "v1:";
    private byte[]? _key;

    /// <summary>A new signing secret: <c>whsec_</c> and 32 random bytes as hex.</summary>
    public static string New() => "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>Loads the key at start-up (after migrations), creating and storing one the first time when none is configured.</summary>
    public async Task LoadKeyAsync(AppDb db, TimeProvider clock, CancellationToken ct = default)
    {
        if (options.Value.SecretKey is { Length: > 0 } configured)
        {
            _key = Convert.FromBase64String(configured);
            if (_key.Length != 32) throw new InvalidOperationException("Webhooks:SecretKey must be 32 bytes, base64-encoded.");
            return;
        }
        _key = await ServerSecret.LoadOrCreateAsync(db, SecretName, clock, ct);
    }

    /// <summary>The secret encrypted for storage: <c>v1:</c> and base64 of nonce, ciphertext and tag.</summary>
    public string Protect(string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[12 + plain.Length + 16];
        var nonce = sealedBytes.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(Key, 16);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(12, plain.Length), sealedBytes.AsSpan(12 + plain.Length));
        return Prefix + Convert.ToBase64String(sealedBytes);
    }

    public string Unprotect(string stored)
    {
        if (!stored.StartsWith(Prefix, StringComparison.Ordinal)) throw new CryptographicException("Not a protected webhook secret.");
        var sealedBytes = Convert.FromBase64String(stored[Prefix.Length..]);
        var plain = new byte[sealedBytes.Length - 12 - 16];
        using var aes = new AesGcm(Key, 16);
        aes.Decrypt(sealedBytes.AsSpan(0, 12), sealedBytes.AsSpan(12, plain.Length), sealedBytes.AsSpan(12 + plain.Length), plain);
        return Encoding.UTF8.GetString(plain);
    }

    private byte[] Key => _key ?? throw new InvalidOperationException("The webhook secret key is loaded at start-up.");
}
