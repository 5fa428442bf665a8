namespace CharityPromo.Api.Data;

internal sealed partial class AppDb
{
    /// <summary>Appends an entry to the audit trail, in the current write transaction (<see cref="DirectSql"/> runs nowhere else).</summary>
    public Task AppendAuditEntryAsync(string actor, string kind, string subject, string changes, DateTime now, CancellationToken ct) => this.ExecuteAsync($"""
        INSERT INTO "AuditEntries" ("AtUtc", "Actor", "Kind", "Subject", "Changes") VALUES ({now}, {actor}, {kind}, {subject}, {changes})
        """, ct);
}
