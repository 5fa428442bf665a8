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

    // Every code is a different URL, so the public cache rarely helps here: the read is one query on a command kept prepared
    // (DirectSql.QueryAsync on the reader connections; docs/BENCHMARKS.md), not EF's two LINQ queries.
    private static async Task<Results<Ok<ReceiptResponse>, ProblemHttpResult>> GetReceipt(
        string code, AppDb db, SqliteReaders readers, CancellationToken ct)
    {
        var normalized = ReceiptCodes.Normalize(code);
        var receipt = normalized is null ? null : await db.ReadRowAsync(readers, $"""
            SELECT p."ReceiptCode", p."CreatedUtc", p."Status", p."Currency", p."MerchantPledge", p."Match", p."RoundUp", p."AddOn",
                   p."DonationTotal", p."Reversed", c."Slug", c."Name", c."Currency", c."Goal",
                   (SELECT CAST(COALESCE(SUM(t."Confirmed" - t."Reversed"), 0) AS BIGINT) FROM "CampaignTotals" t WHERE t."CampaignId" = c."Id"),
                   ch."Slug", ch."Name"
            FROM "Purchases" p
            JOIN "Campaigns" c ON c."Id" = p."CampaignId"
            JOIN "Charities" ch ON ch."Id" = p."CharityId"
            WHERE p."ReceiptCode" = {normalized}
            """, row => new ReceiptResponse(
                row.GetString(0), DateTime.SpecifyKind(row.GetDateTime(1), DateTimeKind.Utc), Enum.Parse<PurchaseStatus>(row.GetString(2)),
                DonationResponse.From(row.GetString(3), new DonationBreakdown(row.GetInt64(4), row.GetInt64(5), row.GetInt64(6), row.GetInt64(7))),
                row.GetInt64(9), row.GetInt64(8) - row.GetInt64(9),
                new ReceiptCampaignResponse(row.GetString(10), row.GetString(11), row.GetString(12), Currencies.Exponent(row.GetString(12)),
                    row.GetInt64(13), row.GetInt64(14)),
                new CharityRefResponse(row.GetString(15), row.GetString(16))), ct);
        return receipt is null ? Problems.NotFound($"No receipt '{code}'.") : TypedResults.Ok(receipt);
    }
}
