using CharityPromo.Api.Access;

namespace CharityPromo.Api.Tests.Unit;

public class ApiKeyTests
{
    [Fact]
    public void KeysAreLongRandomAndStoredOnlyAsTheirHash()
    {
        var a = ApiKeys.Generate();
        var b = ApiKeys.Generate();
        a.ShouldMatch("^cp_[A-Za-z0-9]{46}$");
        a.ShouldNotBe(b);
        ApiKeys.Hash(a).ShouldBe(ApiKeys.Hash(a));
        ApiKeys.Hash(a).ShouldNotBe(ApiKeys.Hash(b));
        ApiKeys.Hash(a).ShouldNotContain(a[3..]);
        ApiKeys.Hash(a).Length.ShouldBe(64);
    }

    [Fact]
    public void TheDisplayPrefixRevealsTooLittleToUseTheKey() => ApiKeys.DisplayPrefix("cp_abcdefghijkl").ShouldBe("cp_abcde");

    [Fact]
    public void EveryGeneratedKeyCarriesAChecksumThatAnyOneChangedCharacterBreaks()
    {
        for (var n = 0; n < 200; n++)
        {
            var key = ApiKeys.Generate();
            ApiKeys.ShapeOf(key).ShouldBe(KeyShape.Checked);
            var at = 3 + n % 46;
            var typo = key[..at] + (key[at] == 'x' ? 'y' : 'x') + key[(at + 1)..];
            ApiKeys.ShapeOf(typo).ShouldBe(KeyShape.Malformed, typo);
        }
    }

    [Fact]
    public void TheChecksumIsTheCrc32OfTheRandomPartInBase62()
    {
        // CRC-32 of forty 'a's is 0xC95B8A25 (3,378,219,557) = base 62 "dQMPon" (digits a-z, A-Z, 0-9).
        var random = new string('a', 40);
        ApiKeys.ShapeOf("cp_" + random + "dQMPon").ShouldBe(KeyShape.Checked);
    }

    [Theory]
    [InlineData("cp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "Unchecked")] // 40: issued before checksums
    [InlineData("cp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "Malformed")] // 39
    [InlineData("cp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "Malformed")] // 41
    [InlineData("cp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_", "Malformed")] // outside base 62
    [InlineData("CP_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "Malformed")]
    [InlineData("sk_test_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "Malformed")]
    [InlineData("", "Malformed")]
    public void ShapesAreToldApartWithoutALookup(string key, string shape) => ApiKeys.ShapeOf(key).ToString().ShouldBe(shape);
}
