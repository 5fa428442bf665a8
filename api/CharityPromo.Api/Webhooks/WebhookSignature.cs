using System.Security.Cryptography;
using System.Text;

namespace CharityPromo.Api.Webhooks;

/// <summary>
/// <c>CharityPromo-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, t + "." + body)&gt;</c>, the way Stripe signs:
/// the key is the whole secret string (<c>whsec_…</c>) as UTF-8; while a rotated-out secret still signs, a second v1 follows.
/// </summary>
internal static class WebhookSignature
{
    public const string Header = "CharityPromo-Signature";

    public static string For(long timestamp, byte[] body, IEnumerable<string> secrets)
    {
        var prefix = Encoding.ASCII.GetBytes($"{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed, prefix.Length);
        var header = new StringBuilder($"t={timestamp}");
        foreach (var secret in secrets)
            header.Append(",v1=").Append(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed)));
        return header.ToString();
    }
}
