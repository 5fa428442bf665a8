using System.Text;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Payments.Stripe;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CharityPromo.Api.Payments;

internal static class StripeWebhookEndpoints
{
    /// <summary>Stripe's events are usually a few KB, above the API's 64 KB default only with long metadata or lists.</summary>
    public const int MaxEventBytes = 512 * 1024;

    public static void MapStripeWebhook(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/stripe").WithTags("Stripe").AllowAnonymous();
        group.MapPost("/webhook", ReceiveStripeEvent).WithName(nameof(ReceiveStripeEvent))
            .WithSummary("Stripe's webhook: payment, refund and dispute events")
            .WithDescription("""
                Point a Stripe webhook endpoint here (events: payment_intent.succeeded, payment_intent.payment_failed,
                payment_intent.canceled, charge.refunded, charge.dispute.created, charge.dispute.closed). The body must carry
                a valid `Stripe-Signature` made with one of `Stripe:WebhookSecrets`, at most 5 minutes off; otherwise 400.
                Each event is applied once: a redelivery is acknowledged with `duplicate: true`. Other event types are acknowledged.
                """)
            .Accepts<object>("application/json")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxEventBytes))
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    /// <param name="Received">Always true: Stripe stops redelivering.</param>
    /// <param name="Duplicate">The event was handled before; nothing changed.</param>
    /// <param name="Outcome">What handling it did.</param>
    public sealed record WebhookResponse(bool Received, bool Duplicate, string Outcome);

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> ReceiveStripeEvent(
        HttpRequest request, StripeEventProcessor processor, IOptions<StripeOptions> options, TimeProvider clock, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var json = await reader.ReadToEndAsync(ct); // the raw bytes as sent: re-serialised JSON would not match the signature
        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ConstructEvent(json, request.Headers["Stripe-Signature"], options.Value.WebhookSecretList,
                options.Value.WebhookTolerance, clock.GetUtcNow());
        }
        catch (StripeException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, type: ProblemTypes.Validation,
                title: "The Stripe signature does not hold", detail: ex.Message);
        }

        try
        {
            var result = await processor.ProcessAsync(stripeEvent, ct);
            return TypedResults.Ok(new WebhookResponse(true, result.Duplicate, result.Outcome));
        }
        catch (System.Text.Json.JsonException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, type: ProblemTypes.Validation,
                title: "The event's object is not what its type says", detail: ex.Message);
        }
        catch (StripeException ex) when (ex.IsTransient)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, type: ProblemTypes.PaymentProviderUnavailable,
                title: "Stripe could not be reached", detail: "The event needs data from Stripe; Stripe will deliver it again.");
        }
    }
}
