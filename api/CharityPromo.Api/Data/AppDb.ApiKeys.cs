namespace CharityPromo.Api.Data;

/// <summary>An API key that is not revoked, as authentication needs it (expiry is the caller's to judge).</summary>
internal sealed record ActiveKey(Guid Id, Guid ClientId, string Name, string Scopes, DateTime? ExpiresUtc, DateTime? LastUsedUtc);

internal sealed partial class AppDb
{
    /// <summary>The key with this hash, unless revoked; on every authenticated request, so on a prepared command (<see cref="DirectSql"/>).</summary>
    public Task<ActiveKey?> FindActiveKeyAsync(SqliteReaders readers, string hash, CancellationToken ct) => this.ReadRowAsync(readers, $"""
        SELECT "Id", "ClientId", "Name", "Scopes", "ExpiresUtc", "LastUsedUtc" FROM "ApiKeys" WHERE "Hash" = {hash} AND "RevokedUtc" IS NULL
        """, row => new ActiveKey(row.GetGuid(0), row.GetGuid(1), row.GetString(2), row.GetString(3),
            row.IsDBNull(4) ? null : row.GetDateTime(4), row.IsDBNull(5) ? null : row.GetDateTime(5)), ct);

    /// <summary>Notes the key used at <paramref name="now"/> unless it was noted since <paramref name="notSince"/> (by another instance, say).</summary>
    public Task<int> RecordKeyUsedAsync(Guid keyId, DateTime now, DateTime notSince) => this.ExecuteAsync($"""
        UPDATE "ApiKeys" SET "LastUsedUtc" = {now} WHERE "Id" = {keyId} AND ("LastUsedUtc" IS NULL OR "LastUsedUtc" < {notSince})
        """);
}
