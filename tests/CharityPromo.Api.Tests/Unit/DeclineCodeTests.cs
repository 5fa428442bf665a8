using CharityPromo.Api.Payments;

namespace CharityPromo.Api.Tests.Unit;

public class DeclineCodeTests
{
    [Theory]
    [InlineData("fraudulent")]
    [InlineData("lost_card")]
    [InlineData("stolen_card")]
    [InlineData("pickup_card")]
    [InlineData("restricted_card")]
    [InlineData("merchant_blacklist")]
    [InlineData("security_violation")]
    public void FraudSignalsReachTheTillAsAGenericDecline(string code) => StripeProblems.ForTheTill(code).ShouldBe("generic_decline");

    [Theory]
    [InlineData("insufficient_funds")]
    [InlineData("expired_card")]
    [InlineData("incorrect_cvc")]
    [InlineData("generic_decline")]
    public void CodesAShopperCanActOnPassUnchanged(string code) => StripeProblems.ForTheTill(code).ShouldBe(code);
}
