using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace CharityPromo.Api.Access;

/// <summary>What a bearer token looks like before anything is looked up.</summary>
internal enum KeyShape
{
    /// <summary>Not a key this API ever issued (wrong prefix, length, alphabet or checksum): refused without a lookup.</summary>
    Malformed,
    /// <summary>"cp_" and 40 base-62 characters: a key issued before keys carried a checksum. Only a lookup can tell.</summary>
    Unchecked,
    /// <summary>"cp_", 40 random base-62 characters and their CRC-32 in 6 more: a typo or random junk cannot pass.</summary>
    Checked,
}

/// <summary>Making and checking API keys.</summary>
internal static class ApiKeys
{
    public const string Prefix = "cp_";
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const int RandomLength = 40;
    /// <summary>62^6 > 2^32, so six base-62 characters hold any CRC-32.</summary>
    private const int ChecksumLength = 6;

    /// <summary>A new key: "cp_", 40 random base-62 characters (≈238 bits) and their checksum.</summary>
    public static string Generate()
    {
        var random = RandomNumberGenerator.GetString(Alphabet, RandomLength);
        return Prefix + random + Checksum(random);
    }

    /// <summary>
    /// Sorts a token by its shape alone. The checksum is no secret (anyone can compute a CRC): it spares the database and
    /// the unknown-key budget the junk, typos and truncated pastes, the way GitHub's and Stripe's token formats do.
    /// </summary>
    public static KeyShape ShapeOf(string key)
    {
        if (!key.StartsWith(Prefix, StringComparison.Ordinal)) return KeyShape.Malformed;
        var body = key.AsSpan(Prefix.Length);
        if (body.ContainsAnyExcept(AlphabetValues)) return KeyShape.Malformed;
        return body.Length switch
        {
            RandomLength => KeyShape.Unchecked,
            RandomLength + ChecksumLength when body[RandomLength..].SequenceEqual(Checksum(body[..RandomLength])) => KeyShape.Checked,
            _ => KeyShape.Malformed,
        };
    }

    /// <summary>
    /// SHA-256, hex. Keys are long random strings, not passwords, so a fast hash is enough: there is
    /// nothing to guess, and a slow one would cost every request.
    /// </summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string DisplayPrefix(string key) => key[..Math.Min(key.Length, 8)];

    private static readonly System.Buffers.SearchValues<char> AlphabetValues = System.Buffers.SearchValues.Create(Alphabet);

    /// <summary>The CRC-32 of the random part, big-endian base 62, padded to six characters.</summary>
    private static string Checksum(ReadOnlySpan<char> random)
    {
        Span<byte> ascii = stackalloc byte[RandomLength];
        Encoding.ASCII.GetBytes(random, ascii);
        var crc = Crc32.HashToUInt32(ascii);
        Span<char> digits = stackalloc char[ChecksumLength];
        for (var i = ChecksumLength - 1; i >= 0; i--)
        {
            digits[i] = Alphabet[(int)(crc % 62)];
            crc /= 62;
        }
        return new string(digits);
    }
}

internal static class Scopes
{
    public const string Admin = "admin";
    public const string Checkout = "checkout";
    public const string Finance = "finance";
    /// <summary>Reads what watching the service needs (metrics, invariants, writer stats) and nothing else: a scraper's key.</summary>
    public const string Monitor = "monitor";
    public static readonly string[] All = [Admin, Checkout, Finance, Monitor];

    /// <summary>The claim type a key's scopes are carried in.</summary>
    public const string ClaimType = "scope";
    /// <summary>The claim type carrying the key's id, which is also the client id purchases belong to.</summary>
    public const string ClientIdClaim = "client_id";

    public static Guid ClientId(this System.Security.Claims.ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirst(ClientIdClaim)?.Value ?? throw new InvalidOperationException("Not an API client."));
}
