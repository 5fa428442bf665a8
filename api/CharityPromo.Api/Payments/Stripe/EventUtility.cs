using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CharityPromo.Api.Payments.Stripe;

/// <summary>Webhook signature checks, named as in Stripe.net.</summary>
internal static class EventUtility
{
    public const string SignatureError = "signature_verification_error";

    /// <summary>
    /// Parses a webhook body after checking its <c>Stripe-Signature</c> header (<c>t=…,v1=…,v1=…</c>): some v1 value
    /// must equal HMAC-SHA256 of <c>{t}.{body}</c> keyed with one of <paramref name="secrets"/> (the whole
    /// <c>whsec_…</c> string), and t must be within <paramref name="tolerance"/> of <paramref name="now"/>, either way.
    /// </summary>
    /// <exception cref="StripeException">The signature does not hold; <see cref="StripeError.Message"/> says why.</exception>
    public static Event ConstructEvent(string json, string? signatureHeader, IReadOnlyList<string> secrets, TimeSpan tolerance, DateTimeOffset now)
    {
        if (secrets.Count == 0) throw Invalid("No webhook signing secret is configured.");
        if (string.IsNullOrEmpty(signatureHeader)) throw Invalid("The Stripe-Signature header is missing.");

        long? timestamp = null;
        var signatures = new List<byte[]>();
        foreach (var part in signatureHeader.Split(','))
        {
            var pair = part.Split('=', 2);
            if (pair.Length != 2) continue;
            if (pair[0].Trim() == "t" && long.TryParse(pair[1], out var t)) timestamp = t;
            else if (pair[0].Trim() == "v1" && TryHex(pair[1].Trim(), out var signature)) signatures.Add(signature);
        }
        if (timestamp is null) throw Invalid("The Stripe-Signature header has no timestamp.");
        if (signatures.Count == 0) throw Invalid("The Stripe-Signature header has no v1 signature.");

        var payload = Encoding.UTF8.GetBytes($"{timestamp}.{json}");
        var valid = secrets.Any(secret =>
        {
            var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload);
            return signatures.Any(s => CryptographicOperations.FixedTimeEquals(s, expected));
        });
        if (!valid) throw Invalid("No signature matches the body with any accepted secret.");

        var age = now - DateTimeOffset.FromUnixTimeSeconds(timestamp.Value);
        if (age.Duration() > tolerance) throw Invalid($"The signature's timestamp is {age.TotalSeconds:0} s away from now, beyond the tolerance.");

        try
        {
            return JsonSerializer.Deserialize<Event>(json, StripeClient.Json) ?? throw Invalid("The body is not an event.");
        }
        catch (JsonException)
        {
            throw Invalid("The body is not an event.");
        }
    }

    private static bool TryHex(string value, out byte[] bytes)
    {
        bytes = [];
        if (value.Length != 64) return false;
        try
        {
            bytes = Convert.FromHexString(value);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static StripeException Invalid(string why) => new(400, null, new StripeError { Type = SignatureError, Message = why });
}
