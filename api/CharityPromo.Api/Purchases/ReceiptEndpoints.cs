using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Pledges;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CharityPromo.Api.Purchases;

/// <summary>What a shopper's receipt code shows: their donation and the campaign's progress, nothing personal.</summary>
/// <param name="Donation">The pledge as recorded, part by part; what it gave depends on <paramref name="Status"/>.</param>
/// <param name="Net">What it gives the charity now: 0 unless the payment succeeded, then the donation less <paramref name="Reversed"/>.</param>
/// <param name="Shop">Who gives the merchant pledge and the match, and collects the shopper's own gifts (<c>Shop__Name</c>).</param>
public sealed record ReceiptResponse(
    string ReceiptCode, DateTime CreatedUtc, PurchaseStatus Status, DonationResponse Donation, long Reversed, long Net,
    ReceiptCampaignResponse Campaign, CharityRefResponse Charity, string Shop);

/// <param name="Disclosure">The campaign's point-of-sale disclosure (as on the campaign).</param>
public sealed record ReceiptCampaignResponse(string Slug, string Name, string Currency, int CurrencyExponent, long Goal, long Raised, ImpactResponse? Impact,
    string Disclosure);

internal static class ReceiptEndpoints
{
    public static void MapReceipts(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/receipts").WithTags("Receipts").AllowAnonymous().CachePublicly();
        group.MapGet("/{code}", GetReceipt).WithName(nameof(GetReceipt))
            .WithSummary("What a purchase gave, by its receipt code (anonymous)")
            .WithDescription("Codes are read forgivingly: any case, hyphens optional, O for 0 and I/L for 1.")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    // Every code is a different URL, so the public cache rarely helps here: the read is one query on a command kept prepared
    // (AppDb.FindReceiptAsync), not EF's two LINQ queries.
    private static async Task<Results<Ok<ReceiptResponse>, ProblemHttpResult>> GetReceipt(
        string code, AppDb db, SqliteReaders readers, IOptions<ShopOptions> shop, CancellationToken ct)
    {
        var normalized = ReceiptCodes.Normalize(code);
        var row = normalized is null ? null : await db.FindReceiptAsync(readers, normalized, ct);
        if (row is null) return Problems.NotFound($"No receipt '{code}'.");
        var campaign = await db.FindCampaignAsync(row.CampaignSlug, readers, ct); // its terms and charities, for the disclosure
        var p = row.Purchase;
        return TypedResults.Ok(new ReceiptResponse(p.ReceiptCode, p.CreatedUtc, p.Status, DonationResponse.From(p.Currency, p.Donation), p.Reversed, p.NetPledge,
            new ReceiptCampaignResponse(row.CampaignSlug, row.CampaignName, row.CampaignCurrency, Currencies.Exponent(row.CampaignCurrency), row.CampaignGoal, row.CampaignRaised,
                row.ImpactAmount is { } unit ? new ImpactResponse(unit, row.ImpactSingular!, row.ImpactPlural!) : null, Disclosure.For(campaign!, shop.Value.Name)),
            new CharityRefResponse(row.CharitySlug, row.CharityName), shop.Value.Name));
    }
}
