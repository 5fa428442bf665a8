using CharityPromo.Api.Access;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Purchases;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CharityPromo.Api.Pledges;

internal static class PledgeEndpoints
{
    public static void MapPledges(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/pledges").WithTags("Pledges").RequireAuthorization(Scopes.Checkout);

        group.MapPost("/quote", QuotePledge).WithName(nameof(QuotePledge))
            .WithSummary("Compute a purchase's donation without recording anything")
            .WithDescription("Lets a checkout show the shopper what their purchase gives before payment. The same rules as POST /api/purchases.")
            .Validate<QuoteRequest>().ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<Results<Ok<QuoteResponse>, ProblemHttpResult>> QuotePledge(
        QuoteRequest request, AppDb db, SqliteReaders readers, CustomerRefHasher hasher, TimeProvider clock, CancellationToken ct)
    {
        var (priced, problem) = await DonationPricer.PriceAsync(db, readers, hasher, request, clock.GetUtcNow().UtcDateTime, ct);
        if (priced is null) return problem!;
        var d = priced.Donation;
        return TypedResults.Ok(new QuoteResponse(priced.Campaign.Currency, d.MerchantPledge, d.Match, d.RoundUp, d.AddOn, d.Total, priced.MerchantCapLeft));
    }
}
