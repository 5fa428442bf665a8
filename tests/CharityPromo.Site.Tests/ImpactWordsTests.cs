extern alias site;
using site::CharityPromo.Site;
using site::CharityPromo.Site.Api;

namespace CharityPromo.Site.Tests;

/// <summary>Impact in things, never more than was paid for.</summary>
public class ImpactWordsTests
{
    private static readonly Impact Books = new(500, "book", "books");

    [Theory]
    [InlineData(0, "0 books so far")]
    [InlineData(499, "0 books so far")]
    [InlineData(500, "1 book so far")]
    [InlineData(999, "1 book so far")] // rounded down: a running total never overstates
    [InlineData(1_195_500, "2,391 books so far")]
    public void TheRunningTotalCountsWholeUnitsRoundedDown(long raised, string expected) =>
        Words.ImpactSoFar(raised, Books).ShouldBe(expected);

    [Theory]
    [InlineData(1500, "3 books")]
    [InlineData(749, "1 book")]
    [InlineData(250, "half a book")]
    [InlineData(249, "a quarter of a book")]
    [InlineData(125, "a quarter of a book")]
    [InlineData(124, "a tenth of a book")]
    [InlineData(50, "a tenth of a book")]
    [InlineData(49, "a little towards a book")]
    public void AGiftReadsInUnitsOrTheLargestFractionItReaches(long gave, string expected) =>
        Words.ImpactOfGift(gave, Books).ShouldBe(expected);

    [Fact]
    public void NothingGivenSaysNothingAndAVowelTakesAn()
    {
        Words.ImpactOfGift(0, Books).ShouldBeNull();
        Words.ImpactOfGift(300, new Impact(1000, "evening meal", "evening meals")).ShouldBe("a quarter of an evening meal");
    }
}
