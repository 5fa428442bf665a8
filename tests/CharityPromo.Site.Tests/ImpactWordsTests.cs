extern alias site;
using site::CharityPromo.Site;
using site::CharityPromo.Site.Api;
using System.Globalization;
using System.Xml.Linq;

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

    [Fact]
    public void TheBadgeCountsItsUnitsOnAThirdLineInEnglishWhateverTheServersCulture()
    {
        var before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            XNamespace ns = "http://www.w3.org/2000/svg";
            var counted = XDocument.Parse(Svg.Badge("Reading", 1_195_500, 2_000_000, "USD", 2, Books)).Root!;
            counted.Attribute("height")!.Value.ShouldBe(Svg.BadgeHeight(Books).ToString());
            counted.Elements(ns + "text").Select(t => t.Value).ShouldBe(["$11,955.00 raised of $20,000.00", "2,391 books so far"]);
            counted.Element(ns + "title")!.Value.ShouldBe("Reading: $11,955.00 raised of $20,000.00, 2,391 books so far");

            var plain = XDocument.Parse(Svg.Badge("Reading", 1_195_500, 2_000_000, "USD", 2)).Root!;
            plain.Attribute("height")!.Value.ShouldBe("56");
            plain.Elements(ns + "text").Count().ShouldBe(1);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }
}
