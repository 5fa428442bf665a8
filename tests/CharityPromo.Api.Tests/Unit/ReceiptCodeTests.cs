using CharityPromo.Api.Purchases;

namespace CharityPromo.Api.Tests.Unit;

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
