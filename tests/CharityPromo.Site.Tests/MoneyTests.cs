extern alias site;
using System.Globalization;
using site::CharityPromo.Site;

namespace CharityPromo.Site.Tests;

public class MoneyTests
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-US");

    [Theory]
    [InlineData(4999, "usd", 2, "$49.99")]
    [InlineData(1_000_000, "usd", 2, "$10,000.00")]
    [InlineData(1038, "eur", 2, "€10.38")]
    [InlineData(1342, "jpy", 0, "¥1,342")]
    [InlineData(4999, "kwd", 3, "KWD 4.999")]
    [InlineData(0, "gbp", 2, "£0.00")]
    public void AmountsShowTheCurrencysOwnDecimalsAndSymbol(long minor, string currency, int exponent, string expected)
    {
        var text = Money.Format(minor, currency, exponent, English);
        // ICU may know a local symbol for some currencies; the digits and decimals are what must hold.
        if (currency == "kwd") text.ShouldEndWith("4.999");
        else text.ShouldBe(expected);
    }

    [Theory]
    [InlineData(0, 1000, 0)]
    [InlineData(999, 1000, 99)]
    [InlineData(1000, 1000, 100)]
    [InlineData(5000, 1000, 100)]
    [InlineData(10, 0, 0)]
    public void ProgressIsWholePercentCappedForTheBar(long raised, long goal, int expected) => Money.PercentOf(raised, goal).ShouldBe(expected);
}
