using CharityPromo.Api.Infrastructure;

namespace CharityPromo.Api.Data;

internal sealed partial class AppDb
{
    /// <summary>The answer stored under a client's key, if any; before every keyed write, so on a prepared command.</summary>
    public Task<IdempotencyRecord?> FindIdempotencyRecordAsync(SqliteReaders readers, Guid clientId, string key) => this.ReadRowAsync(readers, $"""
        SELECT "Fingerprint", "StatusCode", "ContentType", "Location", "Body" FROM "IdempotencyRecords"
        WHERE "ClientId" = {clientId} AND "Key" = {key}
        """, row => new IdempotencyRecord
        {
            ClientId = clientId, Key = key, Fingerprint = row.GetString(0), StatusCode = row.GetInt32(1),
            ContentType = row.IsDBNull(2) ? null : row.GetString(2), Location = row.IsDBNull(3) ? null : row.GetString(3),
            Body = row.GetFieldValue<byte[]>(4),
        });

    /// <summary>
    /// Stores the answer under its key, then runs <paramref name="then"/> in the same round trip (PostgreSQL); false when
    /// the key was stored first (earlier in this batch, or by another instance), in which case nothing after the insert
    /// ran and the transaction still needs rolling back to a savepoint before its next statement (PostgreSQL).
    /// </summary>
    public async Task<bool> StoreIdempotencyRecordAsync(IdempotencyRecord record, IReadOnlyList<FormattableString> then)
    {
        try
        {
            await this.ExecuteAsync([$"""
                INSERT INTO "IdempotencyRecords" ("ClientId", "Key", "Fingerprint", "StatusCode", "ContentType", "Location", "Body", "CreatedUtc")
                VALUES ({record.ClientId}, {record.Key}, {record.Fingerprint}, {record.StatusCode}, {record.ContentType}, {record.Location}, {record.Body}, {record.CreatedUtc})
                """, .. then]);
            return true;
        }
        catch (System.Data.Common.DbException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            return false;
        }
    }

    /// <summary>Deletes up to <paramref name="batch"/> of the oldest answers stored before <paramref name="cutoff"/>; returns how many.</summary>
    public Task<int> DeleteExpiredIdempotencyRecordsAsync(DateTime cutoff, int batch, CancellationToken ct) => this.ExecuteAsync($"""
        DELETE FROM "IdempotencyRecords" WHERE ("ClientId", "Key") IN (
            SELECT "ClientId", "Key" FROM "IdempotencyRecords" WHERE "CreatedUtc" < {cutoff} ORDER BY "CreatedUtc" LIMIT {batch})
        """, ct);
}
