using System.Security.Cryptography;

namespace CharityPromo.Api.Purchases;

/// <summary>Receipt codes: 12 characters of Crockford base-32 (60 random bits), printed as XXXX-XXXX-XXXX.</summary>
internal static class ReceiptCodes
{
    // No I, L, O or U: nothing a shopper can misread when typing it from paper.
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New()
    {
        var chars = RandomNumberGenerator.GetString(Alphabet, 12);
        return $"{chars[..4]}-{chars[4..8]}-{chars[8..]}";
    }

    /// <summary>Accepts what a shopper types: any case, with or without hyphens and spaces, O for 0, I/L for 1.</summary>
    public static string? Normalize(string? input)
    {
        if (input is null) return null;
        var chars = input.ToUpperInvariant().Where(c => c != '-' && !char.IsWhiteSpace(c))
            .Select(c => c switch { 'O' => '0', 'I' or 'L' => '1', _ => c }).ToArray();
        if (chars.Length != 12 || chars.Any(c => !Alphabet.Contains(c))) return null;
        var s = new string(chars);
        return $"{s[..4]}-{s[4..8]}-{s[8..]}";
    }
}
