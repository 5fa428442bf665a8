using System.Text;
using CharityPromo.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Stripe;

namespace CharityPromo.Api.Payments;

internal static class StripeWebhookEndpoints
{
    /// <summary>Stripe's events are usually a few KB, above the API's 64 KB default only with long metadata or lists.</summary>
    public const int MaxEventBytes = 512 * 1024;

    public static void MapStripeWebhook(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/stripe").WithTags("Stripe").AllowAnonymous();
        group.MapPost("/webhook", ReceiveStripeEvent).WithName(nameof(ReceiveStripeEvent))
            .WithSummary("Stripe's webhook: payment, refund, dispute, Checkout, Connect account and transfer events")
            .WithDescription($"""
                Point a Stripe webhook endpoint here, with API version `{StripeConfiguration.ApiVersion}`, for the events
                {string.Join(", ", StripeEventProcessor.HandledTypes)}. The body must carry a valid `Stripe-Signature` made with one of
                `Stripe:WebhookSecrets`, at most 5 minutes off; otherwise 400. An event rendered in another API release
                (`{Release}` is ours) is a 400 and changes nothing: its objects may have another shape.
                Each event is applied once: a redelivery is acknowledged with `duplicate: true`. Other event types, and events
                whose object is not what their type says, are acknowledged and change nothing.
                """)
            .Accepts<object>("application/json")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxEventBytes))
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    /// <param name="Received">Always true: Stripe stops redelivering.</param>
    /// <param name="Duplicate">The event was handled before; nothing changed.</param>
    /// <param name="Outcome">What handling it did.</param>
    public sealed record WebhookResponse(bool Received, bool Duplicate, string Outcome);

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> ReceiveStripeEvent(
        HttpRequest request, StripeEventProcessor processor, IOptions<StripeOptions> options, TimeProvider clock, ApiMetrics metrics,
        ILogger<StripeEventProcessor> logger, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var json = await reader.ReadToEndAsync(ct); // the raw bytes as sent: re-serialised JSON would not match the signature
        var (stripeEvent, refusal) = Verify(json, request.Headers["Stripe-Signature"].ToString(), options.Value, clock.GetUtcNow());
        if (stripeEvent is null || string.IsNullOrEmpty(stripeEvent.Id) || string.IsNullOrEmpty(stripeEvent.Type))
        {
            metrics.Webhook("unverified", "rejected");
            return stripeEvent is null ? BadEvent("The Stripe signature does not hold", refusal!)
                : BadEvent("The body is not a Stripe event", "A Stripe event has an id and a type.");
        }
        if (!SameRelease(stripeEvent.ApiVersion))
        {
            metrics.Webhook(stripeEvent.Type, "rejected");
            logger.LogWarning("Stripe event {EventId} ({Type}) is rendered in API version {Version}; this server reads {Ours}",
                stripeEvent.Id, stripeEvent.Type, stripeEvent.ApiVersion, StripeConfiguration.ApiVersion);
            return BadEvent("The event is in another Stripe API version",
                $"This server reads events of API version {StripeConfiguration.ApiVersion}; set the webhook endpoint's API version to it.");
        }

        try
        {
            var result = await processor.ProcessAsync(stripeEvent, ct);
            metrics.Webhook(stripeEvent.Type, result.Duplicate ? "duplicate" : StripeEventProcessor.HandledTypes.Contains(stripeEvent.Type) ? "applied" : "ignored");
            return TypedResults.Ok(new WebhookResponse(true, result.Duplicate, result.Outcome));
        }
        catch (StripeEventProcessor.StripeNeededException ex)
        {
            metrics.Webhook(stripeEvent.Type, "retry");
            logger.LogWarning("Stripe event {EventId} ({Type}) not applied: {Why}", stripeEvent.Id, stripeEvent.Type, ex.Message);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, type: ProblemTypes.PaymentProviderUnavailable,
                title: "Stripe is not configured here", detail: "The event needs data from Stripe; Stripe will deliver it again.");
        }
        catch (Exception ex) when (StripeProblems.IsStripeFailure(ex, ct))
        {
            metrics.Webhook(stripeEvent.Type, "retry");
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, type: ProblemTypes.PaymentProviderUnavailable,
                title: "Stripe could not be reached", detail: "The event needs data from Stripe; Stripe will deliver it again.");
        }
    }

    /// <summary>
    /// The event, if its signature holds with one of the accepted secrets (several while rotating) and it parses, or
    /// why not. Stripe.net checks the HMAC, the timestamp tolerance and the JSON; a signature or body it cannot read,
    /// however odd (a timestamp beyond any date, a JSON array), is just not an event.
    /// </summary>
    private static (Event? Event, string? Refusal) Verify(string json, string signature, StripeOptions options, DateTimeOffset now)
    {
        string? refusal = null;
        foreach (var secret in options.WebhookSecretList)
        {
            try
            {
                return (EventUtility.ConstructEvent(json, signature, secret, (long)options.WebhookTolerance.TotalSeconds, now.ToUnixTimeSeconds(),
                    throwOnApiVersionMismatch: false), null);
            }
            catch (Exception ex) when (ex is StripeException or System.Text.Json.JsonException or InvalidOperationException or FormatException
                or ArgumentException or OverflowException)
            {
                // Stripe.net checks the HMAC before the timestamp and the body: any refusal but "no signature matches"
                // came from the secret that signed it, and says more.
                if (refusal is null || ex is not StripeException || !ex.Message.StartsWith("The expected signature was not found", StringComparison.Ordinal))
                    refusal = ex is StripeException ? ex.Message : "The signed body is not a Stripe event.";
            }
        }
        return (null, refusal ?? "No webhook signing secret is configured (Stripe:WebhookSecrets).");
    }

    /// <summary>The release of the API version Stripe.net pins: since 2024-09-30.acacia, versions within one release
    /// (the part after the dot) change no object's shape.</summary>
    private static readonly string Release = StripeConfiguration.ApiVersion.Split('.')[^1];

    private static bool SameRelease(string? version) => version?.Split('.') is [_, var release] && release == Release;

    private static ProblemHttpResult BadEvent(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, type: ProblemTypes.Validation, title: title, detail: detail);
}
