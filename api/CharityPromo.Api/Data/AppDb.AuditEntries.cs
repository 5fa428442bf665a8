namespace CharityPromo.Api.Data;

internal sealed partial class AppDb
{
    /// <summary>
    /// Appends an entry to the audit trail, in the current write transaction (<see cref="DirectSql"/> runs nowhere else);
    /// <see cref="Audit.AuditChain"/> computes its hash.
    /// </summary>
    public Task AppendAuditEntryAsync(string actor, string kind, string subject, string changes, DateTime at, string hash, CancellationToken ct) => this.ExecuteAsync($"""
        INSERT INTO "AuditEntries" ("AtUtc", "Actor", "Kind", "Subject", "Changes", "Hash") VALUES ({at}, {actor}, {kind}, {subject}, {changes}, {hash})
        """, ct);
}
