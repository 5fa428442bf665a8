namespace CharityPromo.Api.Access;

/// <summary>An API client's key. Only its SHA-256 hash is stored; the key is shown once, at creation.</summary>
internal sealed class ApiKey
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>
    /// The API client the key speaks for: what it recorded, its order ids and Idempotency-Keys belong to the client, so a
    /// rotated key's successor carries the same one. A new key's own id.
    /// </summary>
    public Guid ClientId { get; set; }
    public required string Name { get; set; }
    public required string Hash { get; set; }
    /// <summary>The first characters of the key, so operators can tell keys apart without the secret.</summary>
    public required string Prefix { get; set; }
    /// <summary>Comma-separated scopes: admin, checkout, finance.</summary>
    public required string Scopes { get; set; }
    public DateTime CreatedUtc { get; set; }
    public DateTime? RevokedUtc { get; set; }
    /// <summary>After this the key is refused with a 401 saying it expired; none: it never expires.</summary>
    public DateTime? ExpiresUtc { get; set; }
    /// <summary>When it was last used, to the minute: recorded at most once a minute, not on every request.</summary>
    public DateTime? LastUsedUtc { get; set; }
}
