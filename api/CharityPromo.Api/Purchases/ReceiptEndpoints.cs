using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Pledges;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CharityPromo.Api.Purchases;

/// <summary>What a shopper's receipt code shows: their donation and the campaign's progress, nothing personal.</summary>
public sealed record ReceiptResponse(
    string ReceiptCode, DateTime CreatedUtc, PurchaseStatus Status, DonationResponse Donation, long Reversed, long Net,
    ReceiptCampaignResponse Campaign, CharityRefResponse Charity);

public sealed record ReceiptCampaignResponse(string Slug, string Name, string Currency, int CurrencyExponent, long Goal, long Raised, ImpactResponse? Impact = null);

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
        string code, AppDb db, SqliteReaders readers, CancellationToken ct)
    {
        var normalized = ReceiptCodes.Normalize(code);
        var row = normalized is null ? null : await db.FindReceiptAsync(readers, normalized, ct);
        var receipt = row is null ? null : new ReceiptResponse(row.ReceiptCode, row.CreatedUtc, row.Status, DonationResponse.From(row.Currency, row.Donation),
            row.Reversed, row.DonationTotal - row.Reversed,
            new ReceiptCampaignResponse(row.CampaignSlug, row.CampaignName, row.CampaignCurrency, Currencies.Exponent(row.CampaignCurrency), row.CampaignGoal, row.CampaignRaised,
                row.ImpactAmount is { } unit ? new ImpactResponse(unit, row.ImpactSingular!, row.ImpactPlural!) : null),
            new CharityRefResponse(row.CharitySlug, row.CharityName));
        return receipt is null ? Problems.NotFound($"No receipt '{code}'.") : TypedResults.Ok(receipt);
    }
}
