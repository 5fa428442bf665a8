using System.Net;
using CharityPromo.Api.Payments;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Purchases;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Tests.Integration.Stripe;

/// <summary>
/// The reconciliation report checks at most 2,000 Stripe payments at once and says how many the period has. The count
/// takes Stripe and Stripe Checkout payments made from the period's first instant up to (not including) its end. The
/// rows are written straight to the database: the count is read, and the limit refuses, before anything else is.
/// </summary>
public class ReconciliationLimitTests : IClassFixture<ApiFactory>
{
    private static readonly DateTime From = new(2026, 5, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime To = new(2026, 5, 2, 0, 0, 0, DateTimeKind.Utc);
    private readonly ApiFactory _app;

    public ReconciliationLimitTests(ApiFactory app)
    {
        app.Settings["Stripe:SecretKey"] = "sk_test_never_called"; // refused before Stripe is asked anything
        _app = app;
    }

    [Fact]
    public async Task APeriodWithMoreStripePaymentsThanTheLimitIsRefusedWithItsCount()
    {
        var admin = _app.Client(await _app.CreateKeyAsync("admin"));
        var checkout = _app.Client(await _app.CreateKeyAsync("checkout"));
        var finance = _app.Client(await _app.CreateKeyAsync("finance"));
        await Seed.ContractCampaignAsync(admin);
        var like = await (await checkout.PostJson("/api/purchases", Seed.Purchase("LIMIT-0"), "limit-0")).Expect(HttpStatusCode.Created);

        await _app.WithDbAsync(async db =>
        {
            var template = await db.Purchases.AsNoTracking().SingleAsync(p => p.Id == Guid.Parse(like.Str("id")));
            Purchase Copy(int i, string method, DateTime at) => new()
            {
                ClientId = template.ClientId, OrderId = $"LIMIT-{i}", ReceiptCode = $"LIMIT{i:D7}", CampaignId = template.CampaignId, CharityId = template.CharityId,
                Currency = "usd", Amount = 1000, Donation = new DonationBreakdown(50, 0, 0, 0), DonationTotal = 50, Status = PurchaseStatus.Pending,
                PaymentMethod = method, PaymentStatus = PaymentStatuses.NotStarted, CreatedUtc = at,
            };
            var rows = new List<Purchase>
            {
                Copy(1, PaymentMethods.Stripe, From),                 // the first instant: in
                Copy(2, PaymentMethods.StripeCheckout, From.AddHours(1)),
                Copy(3, PaymentMethods.Stripe, To),                   // the end: out
                Copy(4, PaymentMethods.Stripe, From.AddTicks(-1)),    // just before: out
            };
            rows.AddRange(Enumerable.Range(5, 20).Select(i => Copy(i, "external", From.AddHours(2))));
            rows.AddRange(Enumerable.Range(100, 1999).Select(i => Copy(i, PaymentMethods.Stripe, From.AddMinutes(i % 1000))));
            db.Purchases.AddRange(rows);
            return await db.SaveChangesAsync();
        });

        var query = $"/api/reports/reconciliation?from={Uri.EscapeDataString(From.ToString("O"))}&to={Uri.EscapeDataString(To.ToString("O"))}";
        var refused = await (await finance.GetAsync(query)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "from");
        refused.Str("detail").ShouldBe("The period has 2001 Stripe payments; at most 2000 are checked at once. Narrow it.");
    }
}
