using CharityPromo.Api.Purchases;
using CharityPromo.Api.Reports;

namespace CharityPromo.Api.Tests.Unit;

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
