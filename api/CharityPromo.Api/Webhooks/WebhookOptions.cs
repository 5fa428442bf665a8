namespace CharityPromo.Api.Webhooks;

/// <summary>The "Webhooks" configuration section.</summary>
internal sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>The first retry's delay; each later one doubles it, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBase { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(6);
    /// <summary>Plain http to loopback receivers (tests, the local demo); never for a deployment.</summary>
    public bool AllowLoopback { get; set; }
    /// <summary>How long one POST may take, connection included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How long a claim keeps other dispatchers off a delivery: a dispatcher that died mid-send is relieved after it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>How often an idle dispatcher looks for due deliveries and ended campaigns.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Deliveries one dispatcher claims, and sends at once, per round.</summary>
    public int BatchSize { get; set; } = 32;
    /// <summary>The key that encrypts stored signing secrets (base64, 32 bytes); unset, one is generated and kept in the database.</summary>
    public string? SecretKey { get; set; }

    /// <summary>The delay before the retry after the <paramref name="attempts"/>-th failed attempt.</summary>
    public TimeSpan RetryDelay(int attempts)
    {
        var delay = RetryBase;
        for (var i = 1; i < attempts && delay < MaxRetryDelay; i++) delay *= 2;
        return delay < MaxRetryDelay ? delay : MaxRetryDelay;
    }
}
