namespace CharityPromo.Api.Data;

/// <summary>A secret the server generates for itself when none is configured (e.g. the customer-reference HMAC key).</summary>
internal sealed class ServerSecret
{
    public required string Name { get; set; }
    public required byte[] Value { get; set; }
    public DateTime CreatedUtc { get; set; }
}
