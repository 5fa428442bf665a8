using CharityPromo.Api.Access;
using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CharityPromo.Api.Purchases;

/// <param name="CustomerRef">The checkout's customer reference, as given with the purchases; only its keyed hash is looked up.</param>
/// <param name="Year">The calendar year (UTC) the purchases were paid in.</param>
public sealed record CustomerStatementRequest(string CustomerRef, int Year);

/// <summary>What one shopper's purchases gave in a year, part by part, and whose money each part was.</summary>
/// <param name="Shop">Who gave the merchant pledge and the match, and collected the shopper's round-ups and add-ons.</param>
/// <param name="Purchases">The shopper's paid purchases in the year, oldest first.</param>
/// <param name="Totals">Per currency: the parts summed, what refunds took back, and what the purchases give now.</param>
public sealed record CustomerStatementResponse(int Year, string Shop, IReadOnlyList<CustomerStatementPurchase> Purchases, IReadOnlyList<CustomerStatementTotal> Totals);

/// <param name="DateUtc">When the payment succeeded.</param>
/// <param name="MerchantPledge">Given by the shop.</param>
/// <param name="Match">Given by the shop, matching the shopper's loyalty.</param>
/// <param name="RoundUp">The shopper's own gift, collected by the shop for the charity.</param>
/// <param name="AddOn">The shopper's own gift, collected by the shop for the charity.</param>
/// <param name="Reversed">What refunds and lost disputes took back.</param>
/// <param name="Net">What the purchase gives now.</param>
public sealed record CustomerStatementPurchase(
    string ReceiptCode, DateTime DateUtc, string Campaign, string Charity, string CharityName, string Currency,
    long MerchantPledge, long Match, long RoundUp, long AddOn, long Reversed, long Net);

public sealed record CustomerStatementTotal(string Currency, long MerchantPledge, long Match, long RoundUp, long AddOn, long Reversed, long Net);

internal sealed class CustomerStatementRequestValidator : AbstractValidator<CustomerStatementRequest>
{
    public const int FirstYear = 2000;
    public const int LastYear = 2100;

    public CustomerStatementRequestValidator()
    {
        RuleFor(r => r.CustomerRef).NotEmpty().MaximumLength(Limits.Reference);
        RuleFor(r => r.Year).InclusiveBetween(FirstYear, LastYear).WithMessage($"'year' must be a calendar year from {FirstYear} to {LastYear}.");
    }
}

internal static class CustomerStatement
{
    public static RouteHandlerBuilder MapCustomerStatement(this IEndpointRouteBuilder customers) =>
        customers.MapPost("/statement", GetCustomerStatement).WithName(nameof(GetCustomerStatement))
            .WithSummary("What a shopper's purchases gave in a year, part by part (checkout, admin)")
            .WithDescription("""
                Paid purchases carrying the customer reference, paid in the UTC calendar `year`, whichever till recorded them:
                each with its receipt code, the parts (the shop's `merchantPledge` and `match`; the shopper's own `roundUp` and
                `addOn`, collected by the shop for the charity), `reversed` and `net`, and totals per currency. Unpaid purchases
                gave nothing and are left out. A POST so that the reference stays out of URLs and logs.
                """)
            .RequireAuthorization(Policies.StatementReaders).Validate<CustomerStatementRequest>();

    private static async Task<Ok<CustomerStatementResponse>> GetCustomerStatement(
        CustomerStatementRequest request, AppDb db, CustomerRefHasher hasher, IOptions<ShopOptions> shop, CancellationToken ct)
    {
        var hash = hasher.Hash(request.CustomerRef);
        var from = new DateTime(request.Year, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var to = from.AddYears(1);
        var paid = db.Purchases.AsNoTracking().Where(p => p.CustomerHash == hash).Where(Purchase.Paid).Where(p => p.ConfirmedUtc >= from && p.ConfirmedUtc < to);
        var rows = await paid
            .Join(db.Campaigns, p => p.CampaignId, c => c.Id, (p, c) => new { Purchase = p, Campaign = c.Slug })
            .Join(db.Charities, x => x.Purchase.CharityId, ch => ch.Id, (x, ch) => new { x.Purchase, x.Campaign, Charity = ch.Slug, CharityName = ch.Name })
            .OrderBy(x => x.Purchase.ConfirmedUtc).ThenBy(x => x.Purchase.Id)
            .ToListAsync(ct);
        var purchases = rows.Select(x => new CustomerStatementPurchase(
            x.Purchase.ReceiptCode, DateTime.SpecifyKind(x.Purchase.ConfirmedUtc!.Value, DateTimeKind.Utc), x.Campaign, x.Charity, x.CharityName, x.Purchase.Currency,
            x.Purchase.Donation.MerchantPledge, x.Purchase.Donation.Match, x.Purchase.Donation.RoundUp, x.Purchase.Donation.AddOn, x.Purchase.Reversed,
            x.Purchase.NetPledge)).ToList();
        var totals = purchases.GroupBy(p => p.Currency).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new CustomerStatementTotal(g.Key, g.Sum(p => p.MerchantPledge), g.Sum(p => p.Match), g.Sum(p => p.RoundUp), g.Sum(p => p.AddOn),
                g.Sum(p => p.Reversed), g.Sum(p => p.Net)))
            .ToList();
        return TypedResults.Ok(new CustomerStatementResponse(request.Year, shop.Value.Name, purchases, totals));
    }
}
