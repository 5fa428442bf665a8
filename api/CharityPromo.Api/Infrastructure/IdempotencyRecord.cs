namespace CharityPromo.Api.Infrastructure;

/// <summary>The first response to a write sent with an Idempotency-Key, replayed for retries of the same request.</summary>
internal sealed class IdempotencyRecord
{
    public Guid ClientId { get; set; }
    public required string Key { get; set; }
    /// <summary>SHA-256 of method, path and body: the same key with another request is refused.</summary>
    public required string Fingerprint { get; set; }
    public int StatusCode { get; set; }
    public string? ContentType { get; set; }
    public string? Location { get; set; }
    public byte[] Body { get; set; } = [];
    public DateTime CreatedUtc { get; set; }
}
