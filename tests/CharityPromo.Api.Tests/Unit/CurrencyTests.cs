using CharityPromo.Api.Pledges;

namespace CharityPromo.Api.Tests.Unit;

public class CurrencyTests
{
    [Theory]
    [InlineData("usd", 2)]
    [InlineData("eur", 2)]
    [InlineData("jpy", 0)]
    [InlineData("krw", 0)]
    [InlineData("kwd", 3)]
    [InlineData("bhd", 3)]
    [InlineData("tnd", 3)]
    public void ExponentsComeFromTheIsoTable(string code, int exponent) => Currencies.Exponent(code).ShouldBe(exponent);

    [Theory]
    [InlineData("USD")]
    [InlineData("xxx")]
    [InlineData("")]
    [InlineData(null)]
    public void UnknownOrUppercaseCodesAreNotCurrencies(string? code) => Currencies.IsKnown(code).ShouldBeFalse();

    [Fact]
    public void AnUnknownCodeHasNoExponentAndTheErrorNamesIt() =>
        Should.Throw<ArgumentException>(() => Currencies.Exponent("xyz")).Message.ShouldStartWith("Unknown currency 'xyz'.");

    [Theory]
    [InlineData(4999, "usd", "49.99")]
    [InlineData(5, "usd", "0.05")]
    [InlineData(-5, "usd", "-0.05")]
    [InlineData(500, "jpy", "500")]
    [InlineData(4999, "kwd", "4.999")]
    [InlineData(50, "kwd", "0.050")]
    [InlineData(-123456, "usd", "-1234.56")]
    [InlineData(99_999_999_999, "usd", "999999999.99")]
    [InlineData(-99_999_999_999, "kwd", "-99999999.999")]
    [InlineData(0, "usd", "0.00")]
    public void MinorUnitsFormatAsInvariantMajorUnits(long minor, string code, string expected) =>
        Currencies.ToMajorString(minor, code).ShouldBe(expected);
}
