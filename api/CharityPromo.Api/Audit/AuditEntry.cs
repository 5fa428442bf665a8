namespace CharityPromo.Api.Audit;

/// <summary>
/// One admin or finance change, or one money action Stripe reported, as it happened: written in the same transaction as
/// the change, never updated or deleted (the database refuses both: migration 0010's triggers).
/// </summary>
internal sealed class AuditEntry
{
    /// <summary>Given by the database, in the order entries were written (a frozen or coarse clock cannot tie two), which keyset paging relies on.</summary>
    public long Id { get; set; }
    public DateTime AtUtc { get; set; }
    /// <summary>The API key's name, <c>stripe</c> for what Stripe's events changed, or <c>cli (user)</c> for the keys CLI.</summary>
    public required string Actor { get; set; }
    /// <summary><c>charity.updated</c>, <c>remittance.paid</c>…: the noun, then what happened to it (docs/API.md lists them).</summary>
    public required string Kind { get; set; }
    /// <summary>What changed: <c>charity:read-together</c>, <c>remittance:{id}</c>, <c>purchase:{id}</c>, <c>key:till-1</c>.</summary>
    public required string Subject { get; set; }
    /// <summary>JSON: each changed field's value before and after, as text (<see cref="AuditChanges"/>).</summary>
    public required string Changes { get; set; }
    /// <summary>SHA-256 of the previous entry's hash and this entry's content (<see cref="AuditChain"/>); none on entries written before the chain began.</summary>
    public string? Hash { get; set; }
}
