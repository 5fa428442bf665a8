using System.Collections.Concurrent;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Purchases;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stripe;

namespace CharityPromo.Api.Payments;

/// <summary>
/// A lost webhook or a crash must not leave a pledge stuck, and abandoned payments must not be read for ever. Every
/// <see cref="StripeOptions.ReconcileEvery"/> this replays the handled event types from Stripe's event list that
/// were never received (the last 3 days on the first pass, then from shortly before the previous pass), then visits
/// the purchases still unpaid after <see cref="StripeOptions.ReconcileAfter"/>: one whose PaymentIntent was never
/// recorded is looked for in Stripe by our id; one whose PaymentIntent (or Checkout Session) is known is re-read;
/// either is released (its pending pledge voided, its match budget given back) once it has been open
/// <see cref="StripeOptions.AbandonAfter"/>, its PaymentIntent cancelled (or its session expired) through Stripe first. A purchase is visited again after as long again as it has
/// been open, so an abandoned one costs a handful of reads, and a pass makes at most
/// <see cref="StripeOptions.ReconcileMaxCalls"/> calls to Stripe; what it leaves is first in line next pass.
/// </summary>
internal sealed class StripeReconciler(IServiceScopeFactory scopes, IOptions<StripeOptions> options, TimeProvider clock, ILogger<StripeReconciler> logger)
    : BackgroundService
{
    /// <summary>How far back events are replayed (Stripe keeps them for 30 days).</summary>
    public static readonly TimeSpan ReplayWindow = TimeSpan.FromDays(3);

    /// <param name="EventsReplayed">Missed events applied.</param>
    /// <param name="PaymentsReread">Open purchases looked up in Stripe.</param>
    /// <param name="Released">Open purchases given up on: their pledge voided, their PaymentIntent (if any) cancelled.</param>
    /// <param name="StripeCalls">Calls this pass made to Stripe.</param>
    public sealed record Report(int EventsReplayed, int PaymentsReread, int Released = 0, int StripeCalls = 0);

    /// <summary>When the last pass started: later passes list events from a little before it, not the whole window.</summary>
    private DateTimeOffset? _lastPass;

    /// <summary>When each open purchase is next due; one not here is due now. Per instance: a restart visits all once.</summary>
    private readonly ConcurrentDictionary<Guid, DateTime> _nextVisit = new();

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (!options.Value.IsConfigured) return;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.ReconcileEvery, stopping);
                var report = await ReconcileOnceAsync(stopping);
                if (report.EventsReplayed + report.PaymentsReread + report.Released > 0)
                    logger.LogInformation("Reconciled with Stripe: {Events} missed event(s) replayed, {Payments} open payment(s) looked up, {Released} released, {Calls} call(s)",
                        report.EventsReplayed, report.PaymentsReread, report.Released, report.StripeCalls);
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
        var stripe = services.GetRequiredService<StripeClient>();
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var calls = 0;

        var since = now - ReplayWindow;
        if (_lastPass is { } last && last - TimeSpan.FromMinutes(10) > since) since = last - TimeSpan.FromMinutes(10); // overlap: events can be listed late
        // Pages of 100: the event list may take half of the pass's calls.
        var maxEvents = Math.Max(1, settings.ReconcileMaxCalls / 2) * 100;
        var listed = await stripe.V1.Events.ListAutoPagingAsync(new EventListOptions
        {
            Created = new DateRangeOptions { GreaterThanOrEqual = since.UtcDateTime }, Types = [.. StripeEventProcessor.HandledTypes], Limit = 100,
        }, cancellationToken: ct).Take(maxEvents).ToListAsync(ct);
        calls += listed.Count / 100 + 1;
        var processor = services.GetRequiredService<StripeEventProcessor>();
        var replayed = 0;
        foreach (var missed in Enumerable.Reverse(listed)) // Stripe lists newest first; apply them in the order they happened
            if (!(await processor.ProcessAsync(missed, ct)).Duplicate) replayed++;

        var db = services.GetRequiredService<AppDb>();
        var cutoff = (now - settings.ReconcileAfter).UtcDateTime;
        var open = await db.Purchases.AsNoTracking()
            .Where(p => (p.PaymentMethod == PaymentMethods.Stripe || p.PaymentMethod == PaymentMethods.StripeCheckout)
                        && p.ConfirmedUtc == null && p.PaymentStatus != PaymentStatuses.Canceled && p.CreatedUtc < cutoff)
            .Select(p => new OpenPurchase(p.Id, p.PaymentMethod, p.PaymentIntentId, p.CheckoutSessionId, p.CreatedUtc)).ToListAsync(ct);
        foreach (var gone in _nextVisit.Keys.Except(open.Select(p => p.Id)).ToList()) _nextVisit.TryRemove(gone, out _);

        var (visited, released) = (0, 0);
        var writes = services.GetRequiredService<Writes>();
        foreach (var purchase in open.Where(p => NextVisit(p) <= now.UtcDateTime).OrderBy(NextVisit))
        {
            var abandoned = now.UtcDateTime - purchase.CreatedUtc >= settings.AbandonAfter;
            // A look-up, and a cancellation when it is abandoned: never start one that the budget cannot finish.
            if (calls + (abandoned ? 2 : 1) > settings.ReconcileMaxCalls) break;
            var (intent, session, made) = purchase.PaymentMethod == PaymentMethods.StripeCheckout
                ? await LookUpSessionAsync(stripe, purchase, abandoned, ct)
                : await LookUpAsync(stripe, purchase, abandoned, ct);
            calls += made;
            visited++;
            var source = $"reconciler:{session?.Id ?? intent?.Id ?? purchase.Id.ToString()}";
            var wasReleased = false;
            await writes.RunAsync(async batchDb =>
            {
                var tracked = await batchDb.Purchases.SingleAsync(p => p.Id == purchase.Id, ct);
                var at = clock.GetUtcNow().UtcDateTime;
                if (session is not null) await PaymentTransitions.ApplySessionAsync(batchDb, tracked, session, null, source, at, ct);
                else if (intent is not null) await PaymentTransitions.ApplyIntentAsync(batchDb, tracked, intent, source, at, ct);
                else if (abandoned) await PaymentTransitions.CancelAsync(batchDb, tracked, source, at, ct); // no PaymentIntent or session was ever made
                wasReleased = tracked.IsVoided;
            });
            if (wasReleased) released++;
            // Spaced out: again after as long as it has been open, and at the latest when it is due to be released.
            var age = now.UtcDateTime - purchase.CreatedUtc;
            var next = now.UtcDateTime + age;
            var release = purchase.CreatedUtc + settings.AbandonAfter;
            _nextVisit[purchase.Id] = next > release && release > now.UtcDateTime ? release : next;
        }
        _lastPass = now;
        return new Report(replayed, visited, released, calls);
    }

    private sealed record OpenPurchase(Guid Id, string PaymentMethod, string? PaymentIntentId, string? CheckoutSessionId, DateTime CreatedUtc);

    private DateTime NextVisit(OpenPurchase purchase) =>
        _nextVisit.TryGetValue(purchase.Id, out var next) ? next : purchase.CreatedUtc + options.Value.ReconcileAfter;

    /// <summary>
    /// The purchase's PaymentIntent as Stripe has it now (cancelled first, when abandoned and still open), or null
    /// when none was ever made; and how many calls that took.
    /// </summary>
    private static async Task<(PaymentIntent? Intent, Stripe.Checkout.Session? Session, int Calls)> LookUpAsync(StripeClient stripe, OpenPurchase purchase,
        bool abandoned, CancellationToken ct)
    {
        var intent = purchase.PaymentIntentId is { } id
            ? await stripe.V1.PaymentIntents.GetAsync(id, cancellationToken: ct)
            : (await StripeCheckout.MadeForAsync(stripe, purchase.Id, ct)).FirstOrDefault();
        if (intent is null || !abandoned || intent.Status is PaymentStatuses.Succeeded or PaymentStatuses.Canceled or "processing") return (intent, null, 1);
        try
        {
            return (await stripe.V1.PaymentIntents.CancelAsync(intent.Id, new PaymentIntentCancelOptions { CancellationReason = "abandoned" },
                new RequestOptions { IdempotencyKey = $"purchase:{purchase.Id}:cancel" }, ct), null, 2);
        }
        catch (StripeException ex) when (ex.HttpStatusCode == System.Net.HttpStatusCode.BadRequest)
        {
            return (intent, null, 2); // it moved on meanwhile (paid, say): the webhook or the next pass brings the news
        }
    }

    /// <summary>
    /// A Checkout purchase's session as Stripe has it now (expired first, when abandoned and still open). One that never
    /// recorded a session has nothing to look up: no shopper was ever sent to a page for it.
    /// </summary>
    private static async Task<(PaymentIntent? Intent, Stripe.Checkout.Session? Session, int Calls)> LookUpSessionAsync(StripeClient stripe,
        OpenPurchase purchase, bool abandoned, CancellationToken ct)
    {
        if (purchase.CheckoutSessionId is not { } id) return (null, null, 0);
        var session = await stripe.V1.Checkout.Sessions.GetAsync(id, cancellationToken: ct);
        if (!abandoned || session.Status != "open") return (null, session, 1);
        try
        {
            return (null, await stripe.V1.Checkout.Sessions.ExpireAsync(id, cancellationToken: ct), 2);
        }
        catch (StripeException ex) when (ex.HttpStatusCode == System.Net.HttpStatusCode.BadRequest)
        {
            return (null, session, 2); // paid meanwhile: the webhook or the next pass brings the news
        }
    }
}
