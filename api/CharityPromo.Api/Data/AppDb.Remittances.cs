using CharityPromo.Api.Remittances;

namespace CharityPromo.Api.Data;

/// <summary>
/// A batch holds thousands of lines, so its claims, payment and deletion move them by statements (prepared, through
/// <see cref="DirectSql"/>) rather than as tracked entities, inside the write transaction.
/// </summary>
internal sealed partial class AppDb
{
    /// <summary>
    /// Claims each pledge for a batch by moving what it has in batches from <c>Before</c> to <c>After</c>, only if it is still
    /// <c>Before</c>: a pledge another instance's batch took since it was read stays with that batch. 1 or 0 per pledge.
    /// </summary>
    public Task<int[]> ClaimForBatchAsync(IReadOnlyList<(Guid PurchaseId, long Before, long After)> claims, CancellationToken ct) =>
        this.ExecuteAsync(claims.Select(c => (FormattableString)$"""
            UPDATE "Purchases" SET "InBatches" = {c.After} WHERE "Id" = {c.PurchaseId} AND "InBatches" = {c.Before}
            """).ToList(), ct);

    /// <summary>Marks a draft batch paid; false when it was not a draft (of two instances paying it at once, one gets false).</summary>
    public async Task<bool> MarkBatchPaidAsync(Guid id, string reference, string? transferId, DateTime now, CancellationToken ct) => await this.ExecuteAsync($"""
        UPDATE "Remittances" SET "Status" = {nameof(RemittanceStatus.Paid)}, "Reference" = {reference}, "TransferId" = {transferId}, "PaidUtc" = {now}
        WHERE "Id" = {id} AND "Status" = {nameof(RemittanceStatus.Draft)}
        """, ct) == 1;

    /// <summary>
    /// Deletes a draft batch no transfer was started for, giving its pledges back to what is outstanding; false when it is
    /// no longer such a draft. The first statement holds the batch's row, so an instance paying it at the same moment
    /// either went first (false here) or finds it gone.
    /// </summary>
    public async Task<bool> DeleteDraftBatchAsync(Guid id, CancellationToken ct)
    {
        if (await this.ExecuteAsync($"""
                UPDATE "Remittances" SET "Status" = {nameof(RemittanceStatus.Draft)}
                WHERE "Id" = {id} AND "Status" = {nameof(RemittanceStatus.Draft)} AND "TransferStartedUtc" IS NULL
                """, ct) == 0)
            return false;
        // Stryker disable String : an emptied statement in a collection expression does not compile (its type is string, not FormattableString), and Stryker then drops every mutant in the method
        await this.ExecuteAsync([
            $"""
            UPDATE "Purchases" SET "InBatches" = "Purchases"."InBatches" - l."Amount" FROM "RemittanceLines" l
            WHERE l."RemittanceId" = {id} AND l."PurchaseId" = "Purchases"."Id"
            """,
            $"""DELETE FROM "RemittanceLines" WHERE "RemittanceId" = {id}""",
            $"""DELETE FROM "Remittances" WHERE "Id" = {id}""",
        ], ct);
        // Stryker restore String
        return true;
    }

    /// <summary>Sets how much of a batch line a reversed transfer reopened, and gives the change back to the pledge's outstanding.</summary>
    public Task<int[]> ReopenLinesAsync(Guid remittanceId, IReadOnlyList<(Guid PurchaseId, long Reopened, long Change)> lines, CancellationToken ct) =>
        this.ExecuteAsync(lines.SelectMany(l => new FormattableString[]
        {
            $"""UPDATE "RemittanceLines" SET "Reopened" = {l.Reopened} WHERE "RemittanceId" = {remittanceId} AND "PurchaseId" = {l.PurchaseId}""",
            $"""UPDATE "Purchases" SET "InBatches" = "InBatches" - {l.Change} WHERE "Id" = {l.PurchaseId}""",
        }).ToList(), ct);
}
