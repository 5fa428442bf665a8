using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Pledges;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Remittances;

/// <summary>The public answer to "has the shop paid the charity?": paid batches and the raised totals, nothing more.</summary>
internal static class CharityPaymentEndpoints
{
    public const int MaxListed = 100;

    public static void MapCharityPayments(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/charities/{slug}/payments", GetCharityPayments).WithName(nameof(GetCharityPayments)).WithTags("Charities")
            .WithSummary("What the shop has paid a charity, and what is raised for it but not yet paid")
            .WithDescription($"""
                Per currency: what was paid, how many payments, when the last one was made, what campaigns raised for the
                charity (confirmed donations net of reversals, as on the campaign totals) and what of that is not yet paid. Then
                the payments themselves, newest first (at most {MaxListed}): when, how much, and whether by bank or Stripe
                transfer. Dates, amounts and counts only: no references, no purchases.
                """)
            .AllowAnonymous().CachePublicly()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Results<Ok<CharityPaymentsResponse>, ProblemHttpResult>> GetCharityPayments(
        string slug, AppDb db, IConfiguration config, CancellationToken ct)
    {
        var charity = await db.Charities.AsNoTracking().Where(c => c.Slug == slug).Select(c => new { c.Id, c.Slug, c.Name }).SingleOrDefaultAsync(ct);
        if (charity is null) return Problems.NotFound($"No charity '{slug}'.");

        // A charity has a handful of totals rows (campaigns × currencies) and a batch a week at most: both are read whole.
        var totals = await db.CampaignTotals.AsNoTracking().Where(t => t.CharityId == charity.Id).ToListAsync(ct);
        var paid = await db.Remittances.AsNoTracking()
            .Where(r => r.CharityId == charity.Id && r.Status == RemittanceStatus.Paid)
            .OrderByDescending(r => r.PaidUtc).ThenByDescending(r => r.Id)
            .ToListAsync(ct);

        var currencies = totals.Select(t => t.Currency).Concat(paid.Select(r => r.Currency)).Distinct().Order(StringComparer.Ordinal)
            .Select(currency =>
            {
                var inCurrency = paid.Where(r => r.Currency == currency).ToList();
                var raised = totals.Where(t => t.Currency == currency).Sum(t => t.Raised);
                var paidSum = totals.Where(t => t.Currency == currency).Sum(t => t.Remitted);
                return new CharityPaymentTotals(currency, Currencies.Exponent(currency), paidSum, inCurrency.Count,
                    inCurrency.Count == 0 ? null : Utc(inCurrency[0].PaidUtc!.Value), raised, raised - paidSum);
            })
            .ToList();
        var payments = paid.Take(MaxListed)
            .Select(r => new CharityPayment(Utc(r.PaidUtc!.Value), r.PaidToCharity, r.Currency, Currencies.Exponent(r.Currency),
                r.TransferId is null ? CharityPaymentMethod.Bank : CharityPaymentMethod.StripeTransfer))
            .ToList();
        return TypedResults.Ok(new CharityPaymentsResponse(new CharityRefResponse(charity.Slug, charity.Name), RemittanceHold.Days(config), currencies, payments));
    }

    private static DateTime Utc(DateTime stored) => DateTime.SpecifyKind(stored, DateTimeKind.Utc);
}
