namespace CharityPromo.Api.Access;

/// <summary>An API client's key. Only its SHA-256 hash is stored; the key is shown once, at creation.</summary>
internal sealed class ApiKey
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public required string Hash { get; set; }
    /// <summary>The first characters of the key, so operators can tell keys apart without the secret.</summary>
    public required string Prefix { get; set; }
    /// <summary>Comma-separated scopes: admin, checkout, finance.</summary>
    public required string Scopes { get; set; }
    public DateTime CreatedUtc { get; set; }
    public DateTime? RevokedUtc { get; set; }
}
