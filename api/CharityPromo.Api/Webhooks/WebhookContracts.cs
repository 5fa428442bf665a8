using CharityPromo.Api.Data;
using FluentValidation;
using Microsoft.Extensions.Options;

namespace CharityPromo.Api.Webhooks;

/// <summary>A receiver to register.</summary>
/// <param name="Url">Where events are POSTed: https, at a public address.</param>
/// <param name="Events">The event types to send, or <c>["*"]</c> for all of them.</param>
/// <param name="Description">What the receiver is, for whoever reads the list later.</param>
public sealed record WebhookEndpointRequest(string? Url, IReadOnlyList<string>? Events, string? Description);

/// <param name="Status"><c>enabled</c>, or <c>disabled</c> after deliveries failed for the whole retry window (3 days).</param>
/// <param name="PreviousSecretExpiresUtc">Until then, after a rotation, the previous secret signs too (a second v1).</param>
public sealed record WebhookEndpointResponse(Guid Id, string Url, IReadOnlyList<string> Events, string? Description, string Status,
    DateTime CreatedUtc, DateTime? DisabledUtc, string? DisabledReason, DateTime? PreviousSecretExpiresUtc);

/// <summary>The endpoint, with its signing secret: shown in this answer only.</summary>
public sealed record WebhookEndpointCreatedResponse(Guid Id, string Url, IReadOnlyList<string> Events, string? Description, string Status,
    DateTime CreatedUtc, string Secret);

/// <summary>The new signing secret, shown once; the previous one also signs until <paramref name="PreviousSecretExpiresUtc"/>.</summary>
public sealed record WebhookSecretResponse(Guid Id, string Secret, DateTime PreviousSecretExpiresUtc);

/// <summary>One event on its way to the endpoint, with each attempt at sending it.</summary>
/// <param name="Status"><c>pending</c> (waiting for its next attempt), <c>delivered</c> (answered 2xx) or <c>failed</c> (given up).</param>
/// <param name="NextAttemptUtc">When it is sent next, while pending.</param>
public sealed record WebhookDeliveryResponse(long Id, string EventId, string EventType, string Status, DateTime? NextAttemptUtc,
    DateTime CreatedUtc, DateTime? DeliveredUtc, IReadOnlyList<WebhookAttemptResponse> Attempts);

/// <param name="StatusCode">The receiver's HTTP status; null when it never answered (timeout, refused connection).</param>
/// <param name="DurationMs">From sending to the answer's headers, in milliseconds.</param>
/// <param name="Response">The first KiB of the answer's body.</param>
/// <param name="Error">Why the attempt failed without an answer.</param>
/// <param name="NextRetryUtc">When the delivery was scheduled to go again after this attempt; null after a success or the last attempt.</param>
public sealed record WebhookAttemptResponse(DateTime AttemptedUtc, int? StatusCode, int DurationMs, string? Response, string? Error, DateTime? NextRetryUtc);

internal sealed class WebhookEndpointRequestValidator : AbstractValidator<WebhookEndpointRequest>
{
    public const int MaxEvents = 20;

    public WebhookEndpointRequestValidator(IOptions<WebhookOptions> options)
    {
        RuleFor(r => r.Url).NotEmpty().MaximumLength(Limits.Url)
            .Custom((url, context) =>
            {
                if (WebhookTargets.UrlProblem(url!, options.Value.AllowLoopback) is { } problem) context.AddFailure(problem);
            });
        RuleFor(r => r.Events).NotEmpty().WithMessage("'events' must list event types, or be [\"*\"] for all.")
            .Must(e => e!.Count <= MaxEvents).WithMessage($"'events' lists at most {MaxEvents} types.")
            .Must(e => !e!.Contains(WebhookEventTypes.All) || e!.Count == 1).WithMessage("'events' is either [\"*\"] or a list of types, not both.");
        RuleForEach(r => r.Events).Must(e => e == WebhookEventTypes.All || WebhookEventTypes.IsKnown(e))
            .WithMessage((_, e) => $"Unknown event type '{e}'. Known: {string.Join(", ", WebhookEventTypes.List.Select(t => t.Name))}.");
        RuleFor(r => r.Description).MaximumLength(Limits.Name);
    }
}
