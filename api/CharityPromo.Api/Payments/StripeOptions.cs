namespace CharityPromo.Api.Payments;

/// <summary>The "Stripe" configuration section. Secrets come from the environment (Stripe__SecretKey), never appsettings.</summary>
internal sealed class StripeOptions
{
    public const string Section = "Stripe";

    /// <summary>sk_live_… or sk_test_…; unset switches Stripe payments off.</summary>
    public string? SecretKey { get; set; }
    public string ApiBase { get; set; } = "https://api.stripe.com";
    /// <summary>Accepted webhook signing secrets, comma-separated (more than one while rotating).</summary>
    public string? WebhookSecrets { get; set; }
    /// <summary>Per attempt; Stripe.net retries a timed-out attempt with the same idempotency key.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Retries on Stripe.net's own terms: connection errors, timeouts, 409, 5xx and <c>Stripe-Should-Retry: true</c>.</summary>
    public int MaxRetries { get; set; } = 2;
    /// <summary>How long Stripe's search may take to see a new object (Stripe: under a minute, normally).</summary>
    public TimeSpan SearchSettle { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>How far apart a signature's timestamp and our clock may be, either way.</summary>
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromSeconds(300);
    /// <summary>Purchases whose payment is still open after this long are re-read from Stripe by the reconciler.</summary>
    public TimeSpan ReconcileAfter { get; set; } = TimeSpan.FromMinutes(10);
    public TimeSpan ReconcileEvery { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>An unpaid purchase open this long is released: its PaymentIntent cancelled, its pending pledge voided.</summary>
    public TimeSpan AbandonAfter { get; set; } = TimeSpan.FromHours(24);
    /// <summary>Calls to Stripe one reconciler pass may make (Stripe allows 25 requests a second in test mode, 100 live).</summary>
    public int ReconcileMaxCalls { get; set; } = 50;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(SecretKey);

    public IReadOnlyList<string> WebhookSecretList =>
        (WebhookSecrets ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
