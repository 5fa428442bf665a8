using CharityPromo.Api.Access;

namespace CharityPromo.Api.Tests.Unit;

public class ApiKeyTests
{
    [Fact]
    public void KeysAreLongRandomAndStoredOnlyAsTheirHash()
    {
        var a = ApiKeys.Generate();
        var b = ApiKeys.Generate();
        a.ShouldStartWith("cp_");
        a.Length.ShouldBe(43);
        a.ShouldNotBe(b);
        ApiKeys.Hash(a).ShouldBe(ApiKeys.Hash(a));
        ApiKeys.Hash(a).ShouldNotBe(ApiKeys.Hash(b));
        ApiKeys.Hash(a).ShouldNotContain(a[3..]);
        ApiKeys.Hash(a).Length.ShouldBe(64);
    }

    [Fact]
    public void TheDisplayPrefixRevealsTooLittleToUseTheKey() => ApiKeys.DisplayPrefix("cp_abcdefghijkl").ShouldBe("cp_abcde");
}
