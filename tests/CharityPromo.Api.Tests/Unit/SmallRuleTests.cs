using CharityPromo.Api.Access;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Purchases;
using CharityPromo.Api.Reports;

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

public class ReceiptCodeTests
{
    [Fact]
    public void CodesAreGroupedCrockfordBase32()
    {
        var code = ReceiptCodes.New();
        code.ShouldMatch("^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$");
        ReceiptCodes.New().ShouldNotBe(code);
    }

    [Theory]
    [InlineData("abcd-efgh-jkmn", "ABCD-EFGH-JKMN")]
    [InlineData("ABCDEFGHJKMN", "ABCD-EFGH-JKMN")]
    [InlineData(" o1il-0000-zzzz ", "0111-0000-ZZZZ")]
    [InlineData("ABCD-EFGH-JKM", null)]
    [InlineData("ABCD-EFGH-JKMU", null)]
    [InlineData("", null)]
    public void WhatShoppersTypeIsReadForgivingly(string input, string? expected) => ReceiptCodes.Normalize(input).ShouldBe(expected);
}

public class JsonPathTests
{
    [Theory]
    [InlineData("$.amount", "amount")]
    [InlineData("$.payment.method", "payment.method")]
    [InlineData("$", "body")]
    [InlineData(null, "body")]
    public void JsonPathsBecomeFieldNames(string? path, string field) => BadRequestHandler.JsonPathToField(path).ShouldBe(field);
}

public class ReportFormatTests
{
    [Theory]
    [InlineData("2026-06-01T12:34:56.7891234Z", "2026-06-01T12:34:56.789Z")]
    [InlineData("0999-01-02T03:04:05.006Z", "0999-01-02T03:04:05.006Z")]
    [InlineData("9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59.999Z")]
    public void TimestampsAreIsoUtcToTheMillisecondTruncated(string utc, string expected)
    {
        var time = DateTime.Parse(utc, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
        PledgeReport.Iso(time).ShouldBe(expected);
        PledgeReport.Iso(time).ShouldBe(time.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void StatusesAreSnakeCase() =>
        Enum.GetValues<PurchaseStatus>().Select(PledgeReport.StatusName)
            .ShouldBe(["pending", "confirmed", "failed", "partially_refunded", "refunded", "disputed"]);
}
