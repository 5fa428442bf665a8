using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Payments;
using CharityPromo.Api.Purchases;

namespace CharityPromo.Api.Tests.Unit;

public class PaymentRuleTests
{
    private static Purchase Paid(long refunded = 0, string? dispute = null) => new()
    {
        OrderId = "o", ReceiptCode = "r", Currency = "usd", Amount = 5000, Donation = new(0, 0, 0, 100), PaymentMethod = "stripe",
        PaymentStatus = PaymentStatuses.Succeeded, ConfirmedUtc = DateTime.UtcNow, Refunded = refunded, DisputeStatus = dispute,
    };

    [Fact]
    public void TheStatusFollowsFromTheFactsNotFromTheOrderTheyArrived()
    {
        Paid().ResolveStatus().ShouldBe(PurchaseStatus.Confirmed);
        Paid(refunded: 100).ResolveStatus().ShouldBe(PurchaseStatus.PartiallyRefunded);
        Paid(refunded: 5100).ResolveStatus().ShouldBe(PurchaseStatus.Refunded);
        Paid(dispute: "needs_response").ResolveStatus().ShouldBe(PurchaseStatus.Disputed);
        Paid(refunded: 100, dispute: "under_review").ResolveStatus().ShouldBe(PurchaseStatus.Disputed);
        Paid(dispute: "won").ResolveStatus().ShouldBe(PurchaseStatus.Confirmed);
        Paid(dispute: "warning_closed").ResolveStatus().ShouldBe(PurchaseStatus.Confirmed);
        Paid(dispute: "lost").ResolveStatus().ShouldBe(PurchaseStatus.Refunded);

        var unpaid = Paid();
        unpaid.ConfirmedUtc = null;
        unpaid.PaymentStatus = "requires_action";
        unpaid.ResolveStatus().ShouldBe(PurchaseStatus.Pending);
        unpaid.PaymentError = "Your card was declined.";
        unpaid.ResolveStatus().ShouldBe(PurchaseStatus.Failed);
        unpaid.PaymentError = null;
        unpaid.PaymentStatus = PaymentStatuses.Canceled;
        unpaid.ResolveStatus().ShouldBe(PurchaseStatus.Failed);
    }

    [Fact]
    public void ARefundsIdDependsOnlyOnClientKeyAndPurchase()
    {
        var client = Guid.NewGuid();
        var purchase = Guid.NewGuid();
        var first = StripeRefunds.RefundIdFor(new IdempotentRequest(client, "k1", "fp-a"), purchase);
        StripeRefunds.RefundIdFor(new IdempotentRequest(client, "k1", "fp-b"), purchase).ShouldBe(first);
        StripeRefunds.RefundIdFor(new IdempotentRequest(client, "k2", "fp-a"), purchase).ShouldNotBe(first);
        StripeRefunds.RefundIdFor(new IdempotentRequest(Guid.NewGuid(), "k1", "fp-a"), purchase).ShouldNotBe(first);
        first.Version.ShouldBe(8);
    }
}
