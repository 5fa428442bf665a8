using System.Security.Cryptography;
using System.Text;

namespace CharityPromo.Api.Access;

/// <summary>Making and checking API keys.</summary>
internal static class ApiKeys
{
    public const string Prefix = "cp_";
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>A new key: "cp_" and 40 random base-62 characters (≈238 bits).</summary>
    public static string Generate() => Prefix + RandomNumberGenerator.GetString(Alphabet, 40);

    /// <summary>
    /// SHA-256, hex. Keys are long random strings, not passwords, so a fast hash is enough: there is
    /// nothing to guess, and a slow one would cost every request.
    /// </summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string DisplayPrefix(string key) => key[..Math.Min(key.Length, 8)];
}

internal static class Scopes
{
    public const string Admin = "admin";
    public const string Checkout = "checkout";
    public const string Finance = "finance";
    public static readonly string[] All = [Admin, Checkout, Finance];

    /// <summary>The claim type a key's scopes are carried in.</summary>
    public const string ClaimType = "scope";
    /// <summary>The claim type carrying the key's id, which is also the client id purchases belong to.</summary>
    public const string ClientIdClaim = "client_id";

    public static Guid ClientId(this System.Security.Claims.ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirst(ClientIdClaim)?.Value ?? throw new InvalidOperationException("Not an API client."));
}
