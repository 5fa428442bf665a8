using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using CharityPromo.Api.Access;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Payments;
using CharityPromo.Api.Pledges;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Purchases;

internal static class PurchaseEndpoints
{
    public const int MaxListSize = 100;

    public static void MapPurchases(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/purchases").WithTags("Purchases").WithIdempotencyKeys();

        group.MapPost("/", CreatePurchase).WithName(nameof(CreatePurchase))
            .WithSummary("Record a purchase that carries a charity pledge")
            .WithDescription("""
                Needs an `Idempotency-Key` header: a retry with the same key and body returns the first response
                (with `Idempotent-Replayed: true`); the same key with another body is a 422. An `orderId` already
                used by this API client is a 409. `payment.method = "external"` records a purchase paid elsewhere:
                it is confirmed at once and counts toward the public totals. `payment.method = "stripe"` creates a
                PaymentIntent for purchase + round-up + add-on and answers its id and client secret (for Stripe.js), or
                confirms it at once with `paymentMethodId` and `confirm: true`; the purchase is pending until Stripe says
                the payment succeeded. A declined card is a 402 with Stripe's message; Stripe unreachable is a 503, and
                the same request again resumes the purchase without a second PaymentIntent.
                `payment.method = "stripe_checkout"` creates a Stripe Checkout Session for the shopper to pay on Stripe's hosted
                page, with the purchase, the round-up and the add-on as their own lines, and answers its `url`; the
                purchase is pending until Stripe says the session was paid, and is released when the session expires.
                """)
            .RequireAuthorization(Scopes.Checkout).RequireIdempotencyKey().Validate<PurchaseRequest>()
            .Produces<PurchaseResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status402PaymentRequired).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/{id:guid}/refunds", RefundPurchase.Handle).WithName("RefundPurchase")
            .WithSummary("Refund a paid purchase, fully or in part")
            .WithDescription("""
                Refunds a paid purchase: through Stripe for Stripe payments (then recorded once, whether this request or
                Stripe's webhook gets there first), or records an external refund. `amount` is what the
                shopper gets back, out of what they paid (purchase + round-up + add-on); omit it to refund everything still
                refundable. Each donation part is reversed in proportion, rounded half away from zero on the cumulative
                refunded share, so partial refunds add up exactly to a full one. Needs an `Idempotency-Key`.
                Checkout keys refund their own purchases; admin keys any.
                """)
            .RequireAuthorization(Policies.Refunders).RequireIdempotencyKey().Validate<RefundRequest>()
            .Produces<RefundResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{id:guid}/refunds/{refundId:guid}", GetRefund).WithName(nameof(GetRefund))
            .WithSummary("Get a refund of a purchase")
            .WithDescription("""
                The refund a `POST …/refunds` answered (its `Location`), with the purchase as it is now. For a Stripe payment,
                `stripeStatus` follows Stripe's news of the refund; a refund that failed or was canceled has `restoredUtc`
                and no longer counts. Checkout keys see their own purchases' refunds; finance and admin keys see all.
                """)
            .RequireAuthorization(Policies.PurchaseReaders).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:guid}", GetPurchase).WithName(nameof(GetPurchase))
            .WithSummary("Get a purchase")
            .WithDescription("Checkout keys see their own purchases; finance and admin keys see all.")
            .RequireAuthorization(Policies.PurchaseReaders).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/", ListPurchases).WithName(nameof(ListPurchases))
            .WithSummary("Find purchases, e.g. by the checkout's order id")
            .WithDescription($"Newest first, at most {MaxListSize}. Checkout keys see their own purchases; finance and admin keys see all.")
            .RequireAuthorization(Policies.PurchaseReaders);
    }

    private static Task<IResult> CreatePurchase(PurchaseRequest request, ClaimsPrincipal user, HttpContext http, Writes writes,
        StripeCheckout stripe, CustomerRefHasher hasher, TimeProvider clock, CancellationToken ct) =>
        PaymentMethods.IsStripe(request.Payment!.Method)
            ? stripe.CreateAsync(http, request, ct)
            : writes.RunAsync(http, db => RecordExternalAsync(db, request, IdempotentRequest.Of(http), user, hasher, clock.GetUtcNow().UtcDateTime, ct));

    /// <summary>
    /// Paid elsewhere: recorded and confirmed at once. The purchase carries its Idempotency-Key, like a Stripe one, so
    /// the unique key refuses a second purchase under it whichever method came first.
    /// </summary>
    private static async Task<IResult> RecordExternalAsync(AppDb db, PurchaseRequest request, IdempotentRequest idempotency, ClaimsPrincipal user,
        CustomerRefHasher hasher, DateTime now, CancellationToken ct)
    {
        var (recorded, problem) = await RecordPurchase.RecordAsync(db, request, user.ClientId(), user.Identity!.Name!, hasher, now,
            paidBy: $"external:{request.Payment!.Reference}", p =>
            {
                p.PaymentReference = request.Payment!.Reference;
                (p.CreationKey, p.CreationFingerprint) = (idempotency.Key, idempotency.Fingerprint);
            }, ct);
        if (recorded is null) return await MadeUnderThisKeyAsync(db, idempotency, ct) ?? problem!;
        return TypedResults.Created($"/api/purchases/{recorded.Purchase.Id}", recorded.Purchase.ToResponse(recorded.Campaign, recorded.Charity));
    }

    /// <summary>
    /// Refused (its order id or key already used): it may be this very request, whose stored answer expired
    /// (Idempotency:RetentionDays) while the purchase keeps its key for ever. Then it is answered with the purchase as it
    /// is now; the key with another request is a 422. Only refusals pay for this look-up.
    /// </summary>
    private static async Task<IResult?> MadeUnderThisKeyAsync(AppDb db, IdempotentRequest idempotency, CancellationToken ct)
    {
        var earlier = await WithSlugs(db, db.Purchases.AsNoTracking().Where(p => p.ClientId == idempotency.ClientId && p.CreationKey == idempotency.Key))
            .SingleOrDefaultAsync(ct);
        if (earlier is null) return null;
        return Writes.SameFingerprint(earlier.Purchase.CreationFingerprint!, idempotency.Fingerprint)
            ? TypedResults.Created($"/api/purchases/{earlier.Purchase.Id}", earlier.Purchase.ToResponse(earlier.Campaign, earlier.Charity))
            : Writes.KeyReused();
    }

    private static async Task<Results<Ok<PurchaseResponse>, ProblemHttpResult>> GetPurchase(
        Guid id, ClaimsPrincipal user, AppDb db, CancellationToken ct)
    {
        var found = await WithSlugs(db, VisibleTo(db, user).Where(p => p.Id == id)).SingleOrDefaultAsync(ct);
        return found is null
            ? Problems.NotFound($"No purchase '{id}' for this API key.")
            : TypedResults.Ok(found.Purchase.ToResponse(found.Campaign, found.Charity));
    }

    private static async Task<Results<Ok<RefundResponse>, ProblemHttpResult>> GetRefund(
        Guid id, Guid refundId, ClaimsPrincipal user, AppDb db, CancellationToken ct)
    {
        var purchase = await VisibleTo(db, user).SingleOrDefaultAsync(p => p.Id == id, ct);
        var refund = purchase is null ? null : await db.Refunds.AsNoTracking().SingleOrDefaultAsync(r => r.Id == refundId && r.PurchaseId == id, ct);
        return refund is null
            ? Problems.NotFound($"No refund '{refundId}' of purchase '{id}' for this API key.")
            : TypedResults.Ok(refund.ToResponse(purchase!));
    }

    private static async Task<Results<Ok<List<PurchaseResponse>>, ValidationProblem>> ListPurchases(
        string? orderId, [Range(1, MaxListSize)] int? limit, ClaimsPrincipal user, AppDb db, CancellationToken ct)
    {
        if (limit is < 1 or > MaxListSize) return Problems.Invalid("limit", $"'limit' must be from 1 to {MaxListSize}.");
        var query = VisibleTo(db, user);
        if (!string.IsNullOrEmpty(orderId)) query = query.Where(p => p.OrderId == orderId);
        var found = await WithSlugs(db, query.OrderByDescending(p => p.CreatedUtc).ThenByDescending(p => p.Id).Take(limit ?? 20)).ToListAsync(ct);
        return TypedResults.Ok(found.Select(x => x.Purchase.ToResponse(x.Campaign, x.Charity)).ToList());
    }

    private sealed record PurchaseRow(Purchase Purchase, string Campaign, string Charity);

    /// <summary>Purchases this key may see: its own, or all of them for finance and admin keys.</summary>
    private static IQueryable<Purchase> VisibleTo(AppDb db, ClaimsPrincipal user)
    {
        var purchases = db.Purchases.AsNoTracking();
        if (user.HasClaim(Scopes.ClaimType, Scopes.Admin) || user.HasClaim(Scopes.ClaimType, Scopes.Finance)) return purchases;
        var clientId = user.ClientId();
        return purchases.Where(p => p.ClientId == clientId);
    }

    private static IQueryable<PurchaseRow> WithSlugs(AppDb db, IQueryable<Purchase> purchases) => purchases
        .Join(db.Campaigns, p => p.CampaignId, c => c.Id, (p, c) => new { p, Campaign = c.Slug })
        .Join(db.Charities, x => x.p.CharityId, ch => ch.Id, (x, ch) => new PurchaseRow(x.p, x.Campaign, ch.Slug));

    public static PurchaseResponse ToResponse(this Purchase p, string campaign, string charity, string? clientSecret = null, string? url = null) => new(
        p.Id, p.OrderId, p.ReceiptCode, p.Status, campaign, charity, p.Currency, p.Amount,
        DonationResponse.From(p.Currency, p.Donation), p.Refunded, p.Reversed,
        new PaymentResponse(p.PaymentMethod, p.PaymentStatus, p.PaymentReference, p.AmountPaid, p.PaymentIntentId, clientSecret, p.PaymentError, p.DisputeStatus,
            p.CheckoutSessionId, url),
        DateTime.SpecifyKind(p.CreatedUtc, DateTimeKind.Utc),
        p.ConfirmedUtc is { } c ? DateTime.SpecifyKind(c, DateTimeKind.Utc) : null);
}
