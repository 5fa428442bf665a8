using CharityPromo.Api.Pledges;

namespace CharityPromo.Api.Tests.Unit;

public class PledgeMathTests
{
    private static readonly PledgeRule FivePercentCappedAt500 = new(500, null, 500, RoundUpAllowed: true, AddOnAllowed: true, Match: null);

    private static DonationInput Input(long amount, string currency = "usd", bool roundUp = false, long addOn = 0, int prior = 0, long budgetLeft = 0) =>
        new(currency, amount, roundUp, addOn, prior, budgetLeft);

    [Fact]
    public void DonationPartsAddSubtractAndNegatePartByPart()
    {
        var a = new DonationBreakdown(100, 20, 3, 40);
        var b = new DonationBreakdown(7, 5, 1, 9);
        (a + b).ShouldBe(new DonationBreakdown(107, 25, 4, 49));
        (a - b).ShouldBe(new DonationBreakdown(93, 15, 2, 31));
        (-a).ShouldBe(new DonationBreakdown(-100, -20, -3, -40));
        (-a).Total.ShouldBe(-163);
        (a - b + b).ShouldBe(a);
    }

    [Theory]
    [InlineData(1_000, 250)]
    [InlineData(100, 100)]
    [InlineData(0, 0)]
    [InlineData(-50, 0)] // a cap lowered below what is held leaves nothing, never less
    public void TheCampaignCapCutsOnlyTheShopsPledgeAndTheMatchStaysOnTheUncutOne(long capLeft, long expectedPledge)
    {
        var rule = FivePercentCappedAt500 with { Match = new MatchRule(0, 10_000, 1_000_000) };
        var d = PledgeMath.Compute(rule, Input(4999, roundUp: true, addOn: 100, budgetLeft: 1_000_000) with { MerchantCapLeft = capLeft });
        d.ShouldBe(new DonationBreakdown(expectedPledge, 351, 1, 100));
    }

    [Fact]
    public void TheContractExampleGivesThreeHundredFiftyOneCents()
    {
        var d = PledgeMath.Compute(FivePercentCappedAt500, Input(4999, roundUp: true, addOn: 100));
        d.ShouldBe(new DonationBreakdown(250, 0, 1, 100));
        d.Total.ShouldBe(351);
    }

    [Theory]
    [InlineData(4990, 250)] // 249.5 → half rounds away from zero
    [InlineData(4989, 249)] // 249.45 → down
    [InlineData(4991, 250)] // 249.55 → up
    [InlineData(1, 0)]      // 0.05 → 0
    [InlineData(10, 1)]     // 0.5 → 1
    public void PercentPledgesRoundHalfAwayFromZeroAtTheMinorUnit(long amount, long expected) =>
        PledgeMath.Compute(FivePercentCappedAt500 with { CapPerPurchase = null }, Input(amount)).MerchantPledge.ShouldBe(expected);

    [Fact]
    public void TheCapLimitsTheMerchantPledge() =>
        PledgeMath.Compute(FivePercentCappedAt500, Input(1_000_000)).MerchantPledge.ShouldBe(500);

    [Fact]
    public void AFixedPledgeIsTheSameWhateverThePurchase()
    {
        var rule = new PledgeRule(null, 75, null, false, false, null);
        PledgeMath.Compute(rule, Input(1)).MerchantPledge.ShouldBe(75);
        PledgeMath.Compute(rule, Input(999_999)).MerchantPledge.ShouldBe(75);
        PledgeMath.Compute(rule with { CapPerPurchase = 50 }, Input(10)).MerchantPledge.ShouldBe(50);
    }

    [Theory]
    [InlineData("usd", 4999, 1)]
    [InlineData("usd", 5000, 0)]
    [InlineData("usd", 5001, 99)]
    [InlineData("jpy", 4999, 0)]   // 0-decimal: every amount is already whole
    [InlineData("kwd", 4999, 1)]   // 3-decimal: 4.999 → 5.000
    [InlineData("kwd", 5001, 999)]
    [InlineData("kwd", 5000, 0)]
    public void RoundUpTakesTheAmountToTheNextWholeMajorUnit(string currency, long amount, long expected) =>
        PledgeMath.RoundUpToMajorUnit(amount, currency).ShouldBe(expected);

    [Fact]
    public void RoundUpAndAddOnCountOnlyWhenTheCampaignAllowsThem()
    {
        var strict = FivePercentCappedAt500 with { RoundUpAllowed = false, AddOnAllowed = false };
        var d = PledgeMath.Compute(strict, Input(4999, roundUp: true, addOn: 100));
        d.RoundUp.ShouldBe(0);
        d.AddOn.ShouldBe(0);
        PledgeMath.Compute(FivePercentCappedAt500, Input(4999, roundUp: false)).RoundUp.ShouldBe(0);
    }

    [Fact]
    public void LoyalCustomersAreMatchedOnTheirWholeDonation()
    {
        var rule = FivePercentCappedAt500 with { Match = new MatchRule(2, 10_000, 50_000) };
        PledgeMath.Compute(rule, Input(4999, roundUp: true, addOn: 100, prior: 1, budgetLeft: 50_000)).Match.ShouldBe(0);
        var matched = PledgeMath.Compute(rule, Input(4999, roundUp: true, addOn: 100, prior: 2, budgetLeft: 50_000));
        matched.Match.ShouldBe(351);
        matched.Total.ShouldBe(702);
    }

    [Fact]
    public void TheMatchStopsAtWhatIsLeftOfTheBudget()
    {
        var rule = FivePercentCappedAt500 with { Match = new MatchRule(0, 5_000, 1_000) };
        PledgeMath.Compute(rule, Input(4999, addOn: 100, budgetLeft: 120)).Match.ShouldBe(120);
        PledgeMath.Compute(rule, Input(4999, addOn: 100, budgetLeft: 0)).Match.ShouldBe(0);
        PledgeMath.Compute(rule, Input(4999, addOn: 100, budgetLeft: -5)).Match.ShouldBe(0);
        PledgeMath.Compute(rule, Input(4999, addOn: 101, budgetLeft: 1_000)).Match.ShouldBe(176); // 50% of 351 = 175.5 → 176
    }

    [Fact]
    public void PartialRefundsReverseInProportionAndAddUpToAFullRefund()
    {
        var pledged = new DonationBreakdown(250, 33, 1, 100);
        var none = new DonationBreakdown(0, 0, 0, 0);
        const long paid = 5100;

        var first = PledgeMath.ReversalFor(pledged, none, refundedBefore: 0, refundNow: 1700, paid);
        first.ShouldBe(new DonationBreakdown(83, 11, 0, 33)); // a third, each part rounded
        var afterFirst = first;
        var second = PledgeMath.ReversalFor(pledged, afterFirst, 1700, 1700, paid);
        var afterSecond = Sum(afterFirst, second);
        var third = PledgeMath.ReversalFor(pledged, afterSecond, 3400, 1700, paid);
        Sum(afterSecond, third).ShouldBe(pledged);
    }

    [Fact]
    public void RefundsBeyondWhatWasPaidNeverReverseMoreThanWasPledged()
    {
        var pledged = new DonationBreakdown(250, 0, 1, 100);
        var full = PledgeMath.ReversalFor(pledged, new DonationBreakdown(0, 0, 0, 0), 0, 99_999, 5100);
        full.ShouldBe(pledged);
        PledgeMath.ReversalFor(pledged, full, 5100, 500, 5100).Total.ShouldBe(0);
    }

    [Fact]
    public void NothingPaidHasNothingToRefundAndSaysSo()
    {
        var pledged = new DonationBreakdown(250, 0, 1, 100);
        var none = new DonationBreakdown(0, 0, 0, 0);
        var ex = Should.Throw<ArgumentOutOfRangeException>(() => PledgeMath.ReversalFor(pledged, none, 0, 100, paid: 0));
        ex.ParamName.ShouldBe("paid");
        ex.Message.ShouldStartWith("A refund needs a paid amount.");
        Should.Throw<ArgumentOutOfRangeException>(() => PledgeMath.ReversalFor(pledged, none, 0, 100, paid: -1));
    }

    [Theory]
    [InlineData(7, 1, 2, 4)]     // 3.5 → 4, away from zero
    [InlineData(-7, 1, 2, -4)]   // −3.5 → −4
    [InlineData(7, -1, 2, -4)]
    [InlineData(-7, 1, -2, 4)]
    [InlineData(5, 1, 3, 2)]     // 1.67 → 2
    [InlineData(-5, 1, 3, -2)]
    [InlineData(4, 1, 3, 1)]     // 1.33 → 1
    [InlineData(-4, 1, 3, -1)]
    [InlineData(0, 9, 7, 0)]
    public void RoundingIsHalfAwayFromZeroWhateverTheSigns(long value, long numerator, long denominator, long expected) =>
        PledgeMath.MultiplyDivideRounded(value, numerator, denominator).ShouldBe(expected);

    [Fact]
    public void AResultBeyondALongIsAnErrorNotAWrappedAmount() =>
        Should.Throw<OverflowException>(() => PledgeMath.MultiplyDivideRounded(long.MaxValue, 3, 2));

    [Fact]
    public void HugeAmountsDoNotOverflow() =>
        PledgeMath.ApplyBasisPoints(99_999_999_999, 100_000).ShouldBe(999_999_999_990);

    private static DonationBreakdown Sum(DonationBreakdown a, DonationBreakdown b) =>
        new(a.MerchantPledge + b.MerchantPledge, a.Match + b.Match, a.RoundUp + b.RoundUp, a.AddOn + b.AddOn);
}
