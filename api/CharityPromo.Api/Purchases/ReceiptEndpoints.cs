using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Pledges;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Purchases;

/// <summary>What a shopper's receipt code shows: their donation and the campaign's progress, nothing personal.</summary>
public sealed record ReceiptResponse(
    string ReceiptCode, DateTime CreatedUtc, PurchaseStatus Status, DonationResponse Donation, long Reversed, long Net,
    ReceiptCampaignResponse Campaign, CharityRefResponse Charity);

public sealed record ReceiptCampaignResponse(string Slug, string Name, string Currency, int CurrencyExponent, long Goal, long Raised);

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

    private static async Task<Results<Ok<ReceiptResponse>, ProblemHttpResult>> GetReceipt(string code, AppDb db, CancellationToken ct)
    {
        var normalized = ReceiptCodes.Normalize(code);
        var row = normalized is null ? null : await db.Purchases.AsNoTracking()
            .Where(p => p.ReceiptCode == normalized)
            .Join(db.Campaigns, p => p.CampaignId, c => c.Id, (p, c) => new { p, c })
            .Join(db.Charities, x => x.p.CharityId, ch => ch.Id, (x, ch) => new { x.p, x.c, ch })
            .SingleOrDefaultAsync(ct);
        if (row is null) return Problems.NotFound($"No receipt '{code}'.");

        var raised = await db.CampaignTotals.AsNoTracking().Where(t => t.CampaignId == row.c.Id).SumAsync(t => t.Confirmed - t.Reversed, ct);
        return TypedResults.Ok(new ReceiptResponse(
            row.p.ReceiptCode, DateTime.SpecifyKind(row.p.CreatedUtc, DateTimeKind.Utc), row.p.Status,
            DonationResponse.From(row.p.Donation), row.p.Reversed, row.p.DonationTotal - row.p.Reversed,
            new ReceiptCampaignResponse(row.c.Slug, row.c.Name, row.c.Currency, Currencies.Exponent(row.c.Currency), row.c.Goal, raised),
            new CharityRefResponse(row.ch.Slug, row.ch.Name)));
    }
}
