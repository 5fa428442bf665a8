using CharityPromo.Api.Campaigns;

namespace CharityPromo.Api.Tests.Unit;

public class DisclosureTests
{
    private static Campaign Campaign(string currency = "usd", params string[] charities)
    {
        var campaign = new Campaign
        {
            Slug = "c", Name = "C", Currency = currency,
            StartsUtc = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), EndsUtc = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        };
        for (var i = 0; i < charities.Length; i++)
            campaign.Charities.Add(new CampaignCharity { Position = i, Charity = new Charity { Slug = $"ch{i}", Name = charities[i] } });
        return campaign;
    }

    [Fact]
    public void TheIssuesExampleReadsExactly()
    {
        var c = Campaign("usd", "Read Together");
        (c.PercentBps, c.CapPerPurchase, c.CampaignCap) = (500, 500, 600);
        Disclosure.For(c, "Corner Books").ShouldBe(
            "Corner Books gives 5% of the purchase price, up to $5.00 a purchase and $6.00 in all, to Read Together from 1 January 2026 to 31 December 2029.");
    }

    [Fact]
    public void AFixedAmountForSeveralCharitiesWithAMatchSaysWhoChoosesAndTheMatchBudget()
    {
        var c = Campaign("eur", "Ocean Clean", "Warm Meals", "Tree Fund");
        (c.FixedAmount, c.MatchPercentBps, c.MatchMinPriorPurchases, c.MatchBudget) = (50, 10_000, 2, 50_000);
        Disclosure.For(c, "Corner Books").ShouldBe(
            "Corner Books gives €0.50 a purchase to Ocean Clean, Warm Meals or Tree Fund, as the shopper chooses, from 1 January 2026 to 31 December 2029, "
            + "and matches the donations of customers with 2 or more earlier purchases at 100%, up to €500.00 in all.");
    }

    [Fact]
    public void OnlyACampaignCapAndAMatchForEveryoneReadAsSuch()
    {
        var c = Campaign("jpy", "Read Together");
        (c.PercentBps, c.CampaignCap, c.MatchPercentBps, c.MatchMinPriorPurchases, c.MatchBudget) = (250, 1_000_000, 5_000, 0, 20_000);
        c.EndsUtc = new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc); // ends during a day: that day is the last
        Disclosure.For(c, "Tokyo Books").ShouldBe(
            "Tokyo Books gives 2.5% of the purchase price, up to ¥1,000,000 in all, to Read Together from 1 January 2026 to 1 March 2026, "
            + "and matches every purchase's donation at 50%, up to ¥20,000 in all.");
    }

    [Theory]
    [InlineData(123_450, "chf", "CHF 1,234.50")]
    [InlineData(5, "kwd", "KWD 0.005")]
    [InlineData(999, "gbp", "£9.99")]
    [InlineData(0, "usd", "$0.00")]
    public void MoneyReadsInTheCurrencysOwnDecimals(long minor, string currency, string expected) =>
        Disclosure.Money(minor, currency).ShouldBe(expected);
}
