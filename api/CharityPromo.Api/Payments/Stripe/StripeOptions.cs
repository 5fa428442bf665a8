namespace CharityPromo.Api.Payments.Stripe;

/// <summary>The "Stripe" configuration section. Secrets come from the environment (Stripe__SecretKey), never appsettings.</summary>
internal sealed class StripeOptions
{
    public const string Section = "Stripe";
    /// <summary>The API version every request pins (Stripe-Version), so Stripe's object shapes cannot drift under us.</summary>
    public const string PinnedApiVersion = "2024-06-20";

    /// <summary>sk_live_… or sk_test_…; unset switches Stripe payments off.</summary>
    public string? SecretKey { get; set; }
    public string ApiBase { get; set; } = "https://api.stripe.com";
    /// <summary>Accepted webhook signing secrets, comma-separated (more than one while rotating).</summary>
    public string? WebhookSecrets { get; set; }
    public string ApiVersion { get; set; } = PinnedApiVersion;
    /// <summary>Per attempt; a timed-out attempt is retried with the same idempotency key.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>First retry waits about this long (jittered), the second about twice as long.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);
    public int MaxRetries { get; set; } = 2;
    /// <summary>How far apart a signature's timestamp and our clock may be, either way.</summary>
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromSeconds(300);
    /// <summary>Purchases whose payment is still open after this long are re-read from Stripe by the reconciler.</summary>
    public TimeSpan ReconcileAfter { get; set; } = TimeSpan.FromMinutes(10);
    public TimeSpan ReconcileEvery { get; set; } = TimeSpan.FromMinutes(5);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(SecretKey);

    public IReadOnlyList<string> WebhookSecretList =>
        (WebhookSecrets ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
