using System.Security.Claims;
using CharityPromo.Api.Access;
using CharityPromo.Api.Audit;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CharityPromo.Api.Webhooks;

internal static class WebhookEndpoints
{
    public const int MaxDeliveries = 100;
    /// <summary>How long a rotated-out secret keeps signing, as a second v1, so receivers can switch without missing an event.</summary>
    public static readonly TimeSpan RotationOverlap = TimeSpan.FromHours(24);

    public static void MapWebhooks(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("Webhooks").RequireAuthorization(Scopes.Admin).WithIdempotencyKeys();

        // The answers that carry a secret are never stored for replay (an Idempotency-Key would keep the secret in clear).
        group.MapPost("/webhook-endpoints", CreateWebhookEndpoint).WithName(nameof(CreateWebhookEndpoint))
            .WithSummary("Register a receiver for signed event webhooks (admin)")
            .WithDescription("""
                Answers the endpoint with its signing `secret` (`whsec_…`), shown in this answer only. `events` lists the
                types to send (see the document's `webhooks`), or is `["*"]` for all. `url` must be https and resolve to
                public addresses only (checked now and again on every delivery); plain http to a loopback address is
                allowed only when the server runs with `Webhooks__AllowLoopback=true`. Not replayed under an Idempotency-Key.
                """)
            .Validate<WebhookEndpointRequest>().WithMetadata(new Swagger.NotReplayed())
            .Produces<WebhookEndpointCreatedResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/webhook-endpoints", ListWebhookEndpoints).WithName(nameof(ListWebhookEndpoints))
            .WithSummary("List the registered receivers, without their secrets (admin)");
        group.MapDelete("/webhook-endpoints/{id:guid}", DeleteWebhookEndpoint).WithName(nameof(DeleteWebhookEndpoint))
            .WithSummary("Remove a receiver; what was still to be sent to it is dropped (admin)")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/webhook-endpoints/{id:guid}/rotate-secret", RotateWebhookSecret).WithName(nameof(RotateWebhookSecret))
            .WithSummary("Issue a new signing secret; the old one also signs for 24 hours (admin)")
            .WithDescription("""
                For 24 hours every delivery carries two `v1` signatures, one per secret, so a receiver can switch to the
                new secret whenever it likes within that time. The new secret is shown in this answer only. Not
                replayed under an Idempotency-Key.
                """)
            .WithMetadata(new Swagger.NotReplayed())
            .Produces<WebhookSecretResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/webhook-endpoints/{id:guid}/deliveries", ListWebhookDeliveries).WithName(nameof(ListWebhookDeliveries))
            .WithSummary("The delivery log of a receiver: each event, each attempt, the next retry (admin)")
            .WithDescription($"Newest first, at most {MaxDeliveries} (`limit`, 20 unless given). Each attempt keeps the status code, the duration and the first KiB of the answer.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesValidationProblem();
        group.MapPost("/webhook-deliveries/{id:long}/retry", RetryWebhookDelivery).WithName(nameof(RetryWebhookDelivery))
            .WithSummary("Send a delivery again now, delivered or not (admin)")
            .WithDescription("Queues the delivery for the next dispatcher round and answers 202; its retry window starts again.")
            .Produces<WebhookDeliveryResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> CreateWebhookEndpoint(WebhookEndpointRequest request, ClaimsPrincipal user, Writes writes, WebhookSecrets secrets,
        IOptions<WebhookOptions> options, TimeProvider clock, CancellationToken ct)
    {
        if (await WebhookTargets.AddressProblemAsync(new Uri(request.Url!), options.Value.AllowLoopback, ct) is { } refused)
            return Problems.Unprocessable("url", refused);
        var secret = WebhookSecrets.New();
        var events = request.Events!.Distinct().ToList();
        var endpoint = new WebhookEndpoint
        {
            Url = request.Url!, Events = events.SequenceEqual([WebhookEventTypes.All]) ? WebhookEventTypes.All : $",{string.Join(',', events)},",
            Description = request.Description, Secret = secrets.Protect(secret), CreatedUtc = clock.GetUtcNow().UtcDateTime,
        };
        return await writes.RunAsync(async db =>
        {
            db.WebhookEndpoints.Add(endpoint);
            await AuditTrail.RecordAsync(db, AuditTrail.Actor(user), "webhook_endpoint.created", $"webhook_endpoint:{endpoint.Id}",
                new AuditChanges().Set("url", null, endpoint.Url).Set("events", null, string.Join(',', events)), endpoint.CreatedUtc, ct);
            var shown = endpoint.ToResponse();
            return TypedResults.Created($"/api/webhook-endpoints/{endpoint.Id}",
                new WebhookEndpointCreatedResponse(shown.Id, shown.Url, shown.Events, shown.Description, shown.Status, shown.CreatedUtc, secret));
        });
    }

    private static async Task<Ok<List<WebhookEndpointResponse>>> ListWebhookEndpoints(AppDb db, CancellationToken ct)
    {
        var endpoints = await db.WebhookEndpoints.AsNoTracking().OrderBy(e => e.CreatedUtc).ThenBy(e => e.Id).ToListAsync(ct);
        return TypedResults.Ok(endpoints.Select(e => e.ToResponse()).ToList());
    }

    private static Task<IResult> DeleteWebhookEndpoint(Guid id, ClaimsPrincipal user, HttpContext http, Writes writes, TimeProvider clock, CancellationToken ct) =>
        writes.RunAsync(http, async db =>
        {
            var url = await db.WebhookEndpoints.Where(e => e.Id == id).Select(e => e.Url).SingleOrDefaultAsync(ct);
            if (url is null) return Unknown(id);
            // Its deliveries and their attempts go with it (cascade); a send already under way finds nothing to record.
            await db.WebhookEndpoints.Where(e => e.Id == id).ExecuteDeleteAsync(ct);
            await AuditTrail.RecordAsync(db, AuditTrail.Actor(user), "webhook_endpoint.deleted", $"webhook_endpoint:{id}",
                new AuditChanges().Set("url", url, null), clock.GetUtcNow().UtcDateTime, ct);
            return TypedResults.NoContent();
        });

    private static Task<IResult> RotateWebhookSecret(Guid id, ClaimsPrincipal user, Writes writes, WebhookSecrets secrets, TimeProvider clock,
        CancellationToken ct)
    {
        var secret = WebhookSecrets.New();
        var protectedSecret = secrets.Protect(secret);
        return writes.RunAsync(async db =>
        {
            var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == id, ct);
            if (endpoint is null) return Unknown(id);
            var now = clock.GetUtcNow().UtcDateTime;
            (endpoint.PreviousSecret, endpoint.PreviousSecretExpiresUtc, endpoint.Secret) = (endpoint.Secret, now + RotationOverlap, protectedSecret);
            await AuditTrail.RecordAsync(db, AuditTrail.Actor(user), "webhook_endpoint.secret_rotated", $"webhook_endpoint:{id}",
                new AuditChanges().Set("previousSecretExpiresUtc", null, endpoint.PreviousSecretExpiresUtc), now, ct);
            return TypedResults.Ok(new WebhookSecretResponse(id, secret, Utc(endpoint.PreviousSecretExpiresUtc.Value)));
        });
    }

    private static async Task<Results<Ok<List<WebhookDeliveryResponse>>, ProblemHttpResult, ValidationProblem>> ListWebhookDeliveries(
        Guid id, int? limit, AppDb db, CancellationToken ct)
    {
        if (limit is < 1 or > MaxDeliveries) return Problems.Invalid("limit", $"'limit' must be from 1 to {MaxDeliveries}.");
        if (!await db.WebhookEndpoints.AnyAsync(e => e.Id == id, ct)) return Unknown(id);
        // One snapshot for the deliveries and their attempts: read apart, a delivery could show its next retry from before
        // an attempt that the attempts then list.
        await using var snapshot = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var deliveries = await db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == id).OrderByDescending(d => d.Id).Take(limit ?? 20)
            .ToListAsync(ct);
        return TypedResults.Ok(await WithAttemptsAsync(db, deliveries, ct));
    }

    private static Task<IResult> RetryWebhookDelivery(long id, HttpContext http, Writes writes, WebhookDispatcher dispatcher, TimeProvider clock,
        CancellationToken ct) =>
        writes.RunAsync(http, async db =>
        {
            var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == id, ct);
            if (delivery is null) return Problems.NotFound("id", $"No webhook delivery '{id}'.");
            if (await db.WebhookEndpoints.AnyAsync(e => e.Id == delivery.EndpointId && e.DisabledUtc != null, ct))
                return Problems.Conflict("id", "This delivery's endpoint is disabled: register the receiver again once it answers.");
            var now = clock.GetUtcNow().UtcDateTime;
            (delivery.Status, delivery.NextAttemptUtc, delivery.LeaseUntilUtc, delivery.RetryUntilUtc) = (DeliveryStatus.Pending, now, null, now + WebhookOutbox.RetryWindow);
            await db.SaveChangesAsync(ct);
            dispatcher.Wake();
            return TypedResults.Accepted($"/api/webhook-endpoints/{delivery.EndpointId}/deliveries", (await WithAttemptsAsync(db, [delivery], ct))[0]);
        });

    private static async Task<List<WebhookDeliveryResponse>> WithAttemptsAsync(AppDb db, List<WebhookDelivery> deliveries, CancellationToken ct)
    {
        var ids = deliveries.Select(d => d.Id).ToList();
        var attempts = (await db.WebhookAttempts.AsNoTracking().Where(a => ids.Contains(a.DeliveryId)).OrderBy(a => a.Id).ToListAsync(ct))
            .ToLookup(a => a.DeliveryId);
        return deliveries.Select(d => new WebhookDeliveryResponse(d.Id, d.EventId, d.EventType, d.Status,
            d.Status == DeliveryStatus.Pending ? Utc(d.NextAttemptUtc) : null, Utc(d.CreatedUtc), Utc(d.DeliveredUtc),
            attempts[d.Id].Select(a => new WebhookAttemptResponse(Utc(a.AttemptedUtc), a.StatusCode, a.DurationMs, a.Response, a.Error,
                Utc(a.NextRetryUtc))).ToList())).ToList();
    }

    private static ProblemHttpResult Unknown(Guid id) => Problems.NotFound("id", $"No webhook endpoint '{id}'.");

    public static WebhookEndpointResponse ToResponse(this WebhookEndpoint e) => new(
        e.Id, e.Url, e.Events == WebhookEventTypes.All ? [WebhookEventTypes.All] : e.Events.Split(',', StringSplitOptions.RemoveEmptyEntries),
        e.Description, e.DisabledUtc is null ? "enabled" : "disabled", Utc(e.CreatedUtc), Utc(e.DisabledUtc), e.DisabledReason, Utc(e.PreviousSecretExpiresUtc));

    private static DateTime Utc(DateTime at) => DateTime.SpecifyKind(at, DateTimeKind.Utc);

    private static DateTime? Utc(DateTime? at) => at is { } t ? Utc(t) : null;
}
