using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Purchases;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stripe;

namespace CharityPromo.Api.Payments;

/// <summary>
/// A lost webhook must not leave a pledge stuck: every <see cref="StripeOptions.ReconcileEvery"/> this replays the
/// handled event types from Stripe's event list that were never received (the last 3 days on the first pass,
/// then from shortly before the previous pass), then re-reads the PaymentIntent of every purchase still unpaid
/// after <see cref="StripeOptions.ReconcileAfter"/>.
/// </summary>
internal sealed class StripeReconciler(IServiceScopeFactory scopes, IOptions<StripeOptions> options, TimeProvider clock, ILogger<StripeReconciler> logger)
    : BackgroundService
{
    /// <summary>How far back events are replayed (Stripe keeps them for 30 days).</summary>
    public static readonly TimeSpan ReplayWindow = TimeSpan.FromDays(3);

    public sealed record Report(int EventsReplayed, int PaymentsReread);

    /// <summary>When the last pass started: later passes list events from a little before it, not the whole window.</summary>
    private DateTimeOffset? _lastPass;

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (!options.Value.IsConfigured) return;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.ReconcileEvery, stopping);
                var report = await ReconcileOnceAsync(stopping);
                if (report.EventsReplayed + report.PaymentsReread > 0)
                    logger.LogInformation("Reconciled with Stripe: {Events} missed event(s) replayed, {Payments} open payment(s) re-read", report.EventsReplayed, report.PaymentsReread);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Reconciling with Stripe failed; trying again in {Interval}", options.Value.ReconcileEvery);
            }
        }
    }

    public async Task<Report> ReconcileOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var processor = services.GetRequiredService<StripeEventProcessor>();
        var now = clock.GetUtcNow();

        var since = now - ReplayWindow;
        if (_lastPass is { } last && last - TimeSpan.FromMinutes(10) > since) since = last - TimeSpan.FromMinutes(10); // overlap: events can be listed late
        var stripe = services.GetRequiredService<StripeClient>();
        var listed = await stripe.V1.Events.ListAutoPagingAsync(new EventListOptions
        {
            Created = new DateRangeOptions { GreaterThanOrEqual = since.UtcDateTime }, Types = [.. StripeEventProcessor.HandledTypes], Limit = 100,
        }, cancellationToken: ct).ToListAsync(ct);
        var replayed = 0;
        foreach (var missed in Enumerable.Reverse(listed)) // Stripe lists newest first; apply them in the order they happened
            if (!(await processor.ProcessAsync(missed, ct)).Duplicate) replayed++;

        var db = services.GetRequiredService<AppDb>();
        var cutoff = (now - options.Value.ReconcileAfter).UtcDateTime;
        var open = await db.Purchases.AsNoTracking()
            .Where(p => p.PaymentMethod == PaymentMethods.Stripe && p.ConfirmedUtc == null && p.PaymentIntentId != null
                && p.PaymentStatus != PaymentStatuses.Canceled && p.CreatedUtc < cutoff)
            .Select(p => new { p.Id, p.PaymentIntentId }).ToListAsync(ct);
        var writer = services.GetRequiredService<WriteBatcher>();
        foreach (var stuck in open)
        {
            var intent = await stripe.V1.PaymentIntents.GetAsync(stuck.PaymentIntentId!, cancellationToken: ct);
            await writer.RunAsync(async batchDb =>
            {
                var purchase = await batchDb.Purchases.SingleAsync(p => p.Id == stuck.Id, ct);
                await PaymentTransitions.ApplyIntentAsync(batchDb, purchase, intent, $"reconciler:{intent.Id}", clock.GetUtcNow().UtcDateTime, ct);
                await batchDb.SaveChangesAsync(ct);
                return new(TypedResults.Ok(), Keep: true);
            });
        }
        _lastPass = now;
        return new Report(replayed, open.Count);
    }
}
