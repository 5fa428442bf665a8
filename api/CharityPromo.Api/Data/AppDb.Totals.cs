namespace CharityPromo.Api.Data;

/// <summary>A campaign's totals row for one charity, with the charity's name.</summary>
internal sealed record CharityTotalsRow(Guid CampaignId, string Slug, string Name, long Confirmed, long Reversed, long Pending, long Purchases, long Remitted);

/// <summary>One day's movements of a campaign.</summary>
internal sealed record DailyTotalsRow(DateOnly Day, long Confirmed, long Reversed, long Purchases);

internal sealed partial class AppDb
{
    /// <summary>
    /// A campaign's totals rows: what every uncached campaign read and every campaign page asks for, so plain SQL on
    /// commands kept prepared (where <see cref="DirectSql.QueryAsync"/> runs them; pass <paramref name="readers"/> outside a
    /// transaction). EF's compiled queries make a new command, compiled on each call.
    /// </summary>
    public Task<List<CharityTotalsRow>> ReadCampaignTotalsAsync(SqliteReaders? readers, Guid campaignId, CancellationToken ct) =>
        this.QueryAsync(readers, $"""
            SELECT t."CampaignId", c."Slug", c."Name", t."Confirmed", t."Reversed", t."Pending", t."Purchases", t."Remitted"
            FROM "CampaignTotals" t JOIN "Charities" c ON c."Id" = t."CharityId"
            WHERE t."CampaignId" = {campaignId}
            """, async (row, ct) =>
        {
            var read = new List<CharityTotalsRow>();
            while (await row.ReadAsync(ct))
                read.Add(new(row.GetGuid(0), row.GetString(1), row.GetString(2), row.GetInt64(3), row.GetInt64(4), row.GetInt64(5), row.GetInt64(6), row.GetInt64(7)));
            return read;
        }, ct);

    /// <summary>A campaign's days, oldest first (<see cref="ReadCampaignTotalsAsync"/> says why plain SQL).</summary>
    public Task<List<DailyTotalsRow>> ReadDailyTotalsAsync(SqliteReaders? readers, Guid campaignId, CancellationToken ct) =>
        this.QueryAsync(readers, $"""
            SELECT "Day", "Confirmed", "Reversed", "Purchases" FROM "DailyTotals" WHERE "CampaignId" = {campaignId} ORDER BY "Day"
            """, async (row, ct) =>
        {
            var days = new List<DailyTotalsRow>();
            while (await row.ReadAsync(ct)) days.Add(new(row.GetFieldValue<DateOnly>(0), row.GetInt64(1), row.GetInt64(2), row.GetInt64(3)));
            return days;
        }, ct);

    // The two statements below run in every write that moves money, batched with the write's other statements (one round
    // trip on PostgreSQL), so they are built here and run by the ledger writer. Plain SQL, the same text on SQLite and
    // PostgreSQL: EF's ExecuteUpdate rebuilds and looks up its expression tree on each call, several times the statement's cost.

    /// <summary>Moves a campaign's totals row for one charity and currency by these amounts; changes 1 row, or 0 when it is missing.</summary>
    public static FormattableString MoveCampaignTotals(Guid campaignId, Guid charityId, string currency, long pending, long confirmed, long reversed, long purchases) => $"""
        UPDATE "CampaignTotals" SET "Pending" = "Pending" + {pending}, "Confirmed" = "Confirmed" + {confirmed},
            "Reversed" = "Reversed" + {reversed}, "Purchases" = "Purchases" + {purchases}
        WHERE "CampaignId" = {campaignId} AND "CharityId" = {charityId} AND "Currency" = {currency}
        """;

    /// <summary>Adds a payment to the charity (or, negative, a reversed transfer) to what the totals row says was remitted; changes 1 row, or 0 when it is missing.</summary>
    public static FormattableString AddToRemitted(Guid campaignId, Guid charityId, string currency, long amount) => $"""
        UPDATE "CampaignTotals" SET "Remitted" = "Remitted" + {amount}
        WHERE "CampaignId" = {campaignId} AND "CharityId" = {charityId} AND "Currency" = {currency}
        """;

    /// <summary>Adds to the campaign's row for the day, creating it on the day's first movement (also when another instance races to).</summary>
    public static FormattableString AddToDailyTotals(Guid campaignId, DateOnly day, long confirmed, long reversed, long purchases) => $"""
        INSERT INTO "DailyTotals" ("CampaignId", "Day", "Confirmed", "Reversed", "Purchases")
        VALUES ({campaignId}, {day}, {confirmed}, {reversed}, {purchases})
        ON CONFLICT ("CampaignId", "Day") DO UPDATE SET "Confirmed" = "DailyTotals"."Confirmed" + excluded."Confirmed",
            "Reversed" = "DailyTotals"."Reversed" + excluded."Reversed", "Purchases" = "DailyTotals"."Purchases" + excluded."Purchases"
        """;
}
