using System.Security.Cryptography;
using System.Text;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Payments;

namespace CharityPromo.Api.Tests.Unit;

/// <summary>
/// A refund's id is derived from its request, so a retry asks Stripe under the same key: SHA-256 of client, key and
/// purchase, labelled as an RFC 9562 version 8 (custom) UUID.
/// </summary>
public class RefundIdTests
{
    [Fact]
    public void ARefundIdIsTheRequestsHashAsAVersion8Uuid()
    {
        var client = Guid.Parse("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
        var purchase = Guid.Parse("0193a1b2-c3d4-7e5f-8a9b-aaaaaaaaaaaa");
        var id = StripeRefunds.RefundIdFor(new IdempotentRequest(client, "refund-1", "fingerprint"), purchase);

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{client:N}\nrefund-1\n{purchase:N}"));
        var hex = Convert.ToHexStringLower(hash.AsSpan(0, 16));
        // The hash's first 16 bytes in order, but for the version nibble (8) and the variant's two bits (10).
        var expected = $"{hex[..12]}8{hex[13..16]}{"89ab"[Convert.ToInt32(hex[16..17], 16) & 0x3]}{hex[17..]}";
        id.ToString("N").ShouldBe(expected);
        (id.Version, id.Variant >> 2).ShouldBe((8, 0b10));

        StripeRefunds.RefundIdFor(new IdempotentRequest(client, "refund-1", "another body"), purchase).ShouldBe(id); // the key, not the body
        StripeRefunds.RefundIdFor(new IdempotentRequest(client, "refund-2", "fingerprint"), purchase).ShouldNotBe(id);
    }
}
