namespace CharityPromo.Api.Webhooks;

/// <summary>An integrator's receiver: where events go, which ones, and the secret that signs them.</summary>
internal sealed class WebhookEndpoint
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Url { get; set; }
    /// <summary>"*", or the subscribed types between commas (",purchase.confirmed,purchase.refunded,") so SQL can match one with LIKE.</summary>
    public required string Events { get; set; }
    public string? Description { get; set; }
    /// <summary>The signing secret, encrypted (<see cref="WebhookSecrets"/>): it must be usable to sign, so it cannot be a hash.</summary>
    public required string Secret { get; set; }
    /// <summary>The secret before the last rotation, encrypted, which also signs until <see cref="PreviousSecretExpiresUtc"/>.</summary>
    public string? PreviousSecret { get; set; }
    public DateTime? PreviousSecretExpiresUtc { get; set; }
    public DateTime CreatedUtc { get; set; }
    /// <summary>Set when deliveries kept failing for the whole retry window: nothing more is sent or queued.</summary>
    public DateTime? DisabledUtc { get; set; }
    public string? DisabledReason { get; set; }
}

/// <summary>
/// One event on its way to one endpoint: the outbox row, written in the same transaction as the change it reports
/// (<see cref="WebhookOutbox"/>), then the dispatcher's queue and the delivery log.
/// </summary>
internal sealed class WebhookDelivery
{
    public long Id { get; set; }
    public Guid EndpointId { get; set; }
    /// <summary>The event's id (<c>evt_…</c>): the same in every endpoint's delivery of it.</summary>
    public required string EventId { get; set; }
    public required string EventType { get; set; }
    /// <summary>The exact JSON body every attempt sends.</summary>
    public required string Payload { get; set; }
    public required string Status { get; set; }
    public int Attempts { get; set; }
    /// <summary>When the next attempt is due, while <see cref="Status"/> is pending.</summary>
    public DateTime? NextAttemptUtc { get; set; }
    /// <summary>Claimed by a dispatcher until then; a dispatcher that died mid-send leaves it to expire, and the event is sent again.</summary>
    public DateTime? LeaseUntilUtc { get; set; }
    /// <summary>Failing attempts are retried until then; after it the endpoint is disabled.</summary>
    public DateTime RetryUntilUtc { get; set; }
    public DateTime CreatedUtc { get; set; }
    public DateTime? DeliveredUtc { get; set; }
}

/// <summary>One POST of a delivery and what came back (the status and the first KiB of the answer only).</summary>
internal sealed class WebhookAttempt
{
    public long Id { get; set; }
    public long DeliveryId { get; set; }
    public DateTime AttemptedUtc { get; set; }
    public int? StatusCode { get; set; }
    public int DurationMs { get; set; }
    public string? Response { get; set; }
    public string? Error { get; set; }
    public DateTime? NextRetryUtc { get; set; }
}

internal static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    /// <summary>Gave up: the retry window ended, the endpoint was disabled, or the payload could not be sent.</summary>
    public const string Failed = "failed";
}
