using CharityPromo.Api.Access;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Purchases;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.HttpResults;
using Stripe;

namespace CharityPromo.Api.Payments;

/// <summary>
/// A purchase paid through Stripe, in three steps so that Stripe is never called inside the write transaction:
/// (1) record the purchase and its pending pledge with the request's Idempotency-Key and fingerprint, and commit;
/// (2) create (or re-read) its PaymentIntent under the key <c>purchase:{id}:payment_intent</c>;
/// (3) record what Stripe said. A retry of the same request finds the row from step 1 and resumes at step 2.
/// Stripe stores an error (a 500) under its idempotency key and replays it for a day, so an attempt that got no
/// definite answer is counted on the purchase, and the next one first looks for a PaymentIntent the failed one
/// may have made (by our id in its metadata), then creates one under a key with the attempt's number: however
/// often a checkout retries — or Stripe fails or times out — there is one PaymentIntent.
/// </summary>
internal sealed partial class StripeCheckout(
    AppDb reads, Writes writes, StripeClient stripe, IOptions<StripeOptions> options, CustomerRefHasher hasher, TimeProvider clock,
    ILogger<StripeCheckout> logger)
{
    public async Task<IResult> CreateAsync(HttpContext http, PurchaseRequest request, CancellationToken ct)
    {
        if (!options.Value.IsConfigured) return StripeProblems.NotConfigured();
        var idempotency = IdempotentRequest.Of(http);
        var clientName = http.User.Identity!.Name!;

        // Step 1: find the purchase this request already recorded, or record it.
        RecordedPurchase? recorded = null;
        // Its answer decides: a refusal undoes whatever the attempt did, a resumed or new purchase is kept.
        var step1 = await writes.RunAsync(async db =>
        {
            async Task<IResult?> ResumeAsync()
            {
                var earlier = await db.Purchases.AsNoTracking().SingleOrDefaultAsync(p => p.ClientId == idempotency.ClientId && p.CreationKey == idempotency.Key, ct);
                if (earlier is null)
                    // The key may have answered another write (a refund, a refused request): its answer, or 422.
                    return await writes.TryReplayAsync(http, db);
                if (!Writes.SameFingerprint(earlier.CreationFingerprint!, idempotency.Fingerprint)) return Writes.KeyReused();
                recorded = await WithSlugsAsync(db, earlier, ct);
                return TypedResults.Ok();
            }

            if (await ResumeAsync() is { } resumed) return resumed;
            var (fresh, problem) = await RecordPurchase.RecordAsync(db, request, idempotency.ClientId, clientName, hasher, clock.GetUtcNow().UtcDateTime,
                paidBy: null, p => (p.CreationKey, p.CreationFingerprint) = (idempotency.Key, idempotency.Fingerprint), ct);
            // Refused as a duplicate order: it may be this very request, recorded meanwhile by another instance.
            if (fresh is null) return await ResumeAsync() ?? problem!;
            if (BelowStripeMinimum(fresh.Purchase) is { } tooSmall) return tooSmall;
            recorded = fresh;
            return TypedResults.Ok();
        });
        if (recorded is null) return step1;
        var purchase = recorded.Purchase;

        if (purchase.IsVoided) return Voided();
        if (purchase.PaymentMethod == PaymentMethods.StripeCheckout) return await HostedPageAsync(recorded, request.Payment!, ct);

        // Step 2: Stripe, outside the transaction.
        PaymentIntent intent;
        StripeException? declined = null;
        try
        {
            if (purchase.PaymentIntentId is { } known)
                intent = await stripe.V1.PaymentIntents.GetAsync(known, cancellationToken: ct); // Stripe's keys expire after 24 h; the id does not
            else if (await MadeByAnEarlierAttemptAsync(purchase, ct) is { } found)
                intent = found;
            else if (SettlingFor(purchase) is { } wait)
                return StripeProblems.Settling(purchase.Id, wait);
            else
                intent = await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
                {
                    Amount = purchase.AmountPaid,
                    Currency = purchase.Currency,
                    Description = $"Order {purchase.OrderId} ({recorded.Campaign})",
                    Metadata = new()
                    {
                        ["purchase_id"] = purchase.Id.ToString(), ["campaign"] = recorded.Campaign, ["charity"] = recorded.Charity,
                        ["order_id"] = purchase.OrderId,
                    },
                    // Stripe's dashboard decides which payment methods Stripe.js offers. Confirming server-side there is
                    // no page to return to, so methods that redirect are left out.
                    AutomaticPaymentMethods = new() { Enabled = true, AllowRedirects = request.Payment!.Confirm == true ? "never" : null },
                    PaymentMethod = request.Payment.PaymentMethodId,
                    Confirm = request.Payment.Confirm == true ? true : null,
                }, new RequestOptions { IdempotencyKey = IntentKey(purchase) }, ct);
        }
        catch (StripeException ex) when (StripeProblems.IsCardError(ex) && ex.StripeError.PaymentIntent is not null)
        {
            (intent, declined) = (ex.StripeError.PaymentIntent, ex);
        }
        catch (Exception ex) when (StripeProblems.IsStripeFailure(ex, ct))
        {
            if (StripeProblems.IsTransient(ex) && purchase.PaymentIntentId is null) await CountFailedAttemptAsync(purchase, ct);
            return StripeProblems.From(ex, "payment", new Dictionary<string, object?> { ["purchaseId"] = purchase.Id });
        }

        // Step 3: record what Stripe said.
        var now = clock.GetUtcNow().UtcDateTime;
        await writes.RunAsync(async db =>
        {
            var tracked = await db.Purchases.SingleAsync(p => p.Id == purchase.Id, ct);
            await PaymentTransitions.ApplyIntentAsync(db, tracked, intent, $"stripe:{intent.Id}", now, ct);
            purchase = tracked;
        });

        if (declined is not null || intent is { Status: PaymentStatuses.RequiresPaymentMethod, LastPaymentError: not null })
        {
            var error = declined ?? new StripeException(System.Net.HttpStatusCode.PaymentRequired, intent.LastPaymentError, intent.LastPaymentError!.Message);
            if (error.StripeError?.DeclineCode is { } code && StripeProblems.IsFraudSignal(code))
                logger.LogWarning("Purchase {PurchaseId}'s card was declined with {DeclineCode}; the till was told generic_decline.", purchase.Id, code);
            return StripeProblems.From(error, "payment.paymentMethodId", new Dictionary<string, object?>
            {
                ["purchaseId"] = purchase.Id, ["paymentIntentId"] = intent.Id, ["clientSecret"] = intent.ClientSecret,
            });
        }
        return TypedResults.Created($"/api/purchases/{purchase.Id}", purchase.ToResponse(recorded.Campaign, recorded.Charity, intent.ClientSecret));
    }

    private static ProblemHttpResult Voided() =>
        Problems.Conflict("payment", "This purchase's payment was cancelled, or given up on while unpaid: record a new purchase under a new Idempotency-Key.");

    /// <summary>The first attempt's key is <c>purchase:{id}:payment_intent</c>; each attempt after one without an answer has its own.</summary>
    public static string IntentKey(Purchase purchase) =>
        purchase.IntentAttempts == 0 ? $"purchase:{purchase.Id}:payment_intent" : $"purchase:{purchase.Id}:payment_intent:{purchase.IntentAttempts}";

    /// <summary>After an attempt without an answer: the PaymentIntent it may have made, found by our id in its metadata.</summary>
    private async Task<PaymentIntent?> MadeByAnEarlierAttemptAsync(Purchase purchase, CancellationToken ct)
    {
        if (purchase.IntentAttempts == 0) return null;
        return (await MadeForAsync(stripe, purchase.Id, ct)).FirstOrDefault(i => i.Status != PaymentStatuses.Canceled);
    }

    /// <summary>The PaymentIntents Stripe's search finds with our purchase id in their metadata: open or paid ones first, newest first.</summary>
    public static async Task<List<PaymentIntent>> MadeForAsync(StripeClient stripe, Guid purchaseId, CancellationToken ct)
    {
        var found = await stripe.V1.PaymentIntents.SearchAsync(new PaymentIntentSearchOptions { Query = $"metadata['purchase_id']:'{purchaseId}'", Limit = 10 },
            cancellationToken: ct);
        return [.. found.Data.OrderByDescending(i => i.Status != PaymentStatuses.Canceled).ThenByDescending(i => i.Created)];
    }

    /// <summary>
    /// Stripe's search sees a new object within a minute: until a failed attempt is that old, not finding its
    /// PaymentIntent does not prove there is none, so no other is made yet.
    /// </summary>
    private TimeSpan? SettlingFor(Purchase purchase)
    {
        if (purchase.IntentAttemptFailedUtc is not { } failed) return null;
        var wait = failed + options.Value.SearchSettle - clock.GetUtcNow().UtcDateTime;
        return wait > TimeSpan.Zero ? wait : null;
    }

    /// <summary>Counts an attempt (at a PaymentIntent or a Checkout Session) that got no definite answer, once even when concurrent retries fail together.</summary>
    private async Task CountFailedAttemptAsync(Purchase purchase, CancellationToken ct)
    {
        var (id, attempt, now) = (purchase.Id, purchase.IntentAttempts, clock.GetUtcNow().UtcDateTime);
        await writes.RunAsync(async db =>
        {
            await db.Purchases.Where(p => p.Id == id && p.IntentAttempts == attempt)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.IntentAttempts, attempt + 1).SetProperty(p => p.IntentAttemptFailedUtc, now), ct);
        });
    }

    /// <summary>Stripe refuses charges under a per-currency minimum: say so before anything is recorded.</summary>
    private static IResult? BelowStripeMinimum(Purchase purchase) =>
        StripeMinimums.For(purchase.Currency) is { } minimum && purchase.AmountPaid < minimum
            ? Problems.Unprocessable("amount", $"Stripe's smallest charge in {purchase.Currency} is {Currencies.ToMajorString(minimum, purchase.Currency)} "
                + $"{purchase.Currency}: this purchase with its donations comes to {purchase.AmountPaid} minor units.")
            : null;

    private static async Task<RecordedPurchase> WithSlugsAsync(AppDb db, Purchase purchase, CancellationToken ct) => new(purchase,
        await db.Campaigns.Where(c => c.Id == purchase.CampaignId).Select(c => c.Slug).SingleAsync(ct),
        await db.Charities.Where(c => c.Id == purchase.CharityId).Select(c => c.Slug).SingleAsync(ct));
}
