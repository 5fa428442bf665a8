using System.Security.Claims;
using CharityPromo.Api.Access;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Ledger;
using CharityPromo.Api.Pledges;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Purchases;

internal static class PurchaseEndpoints
{
    public const int MaxListSize = 100;

    public static void MapPurchases(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/purchases").WithTags("Purchases").WithWriteFilter();

        group.MapPost("/", CreatePurchase).WithName(nameof(CreatePurchase))
            .WithSummary("Record a purchase that carries a charity pledge")
            .WithDescription("""
                Needs an `Idempotency-Key` header: a retry with the same key and body returns the first response
                (with `Idempotent-Replayed: true`); the same key with another body is a 422. An `orderId` already
                used by this API client is a 409. `payment.method = "external"` records a purchase paid elsewhere:
                it is confirmed at once and counts toward the public totals.
                """)
            .RequireAuthorization(Scopes.Checkout).RequireIdempotencyKey().Validate<PurchaseRequest>()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/{id:guid}/refunds", RefundPurchase.Handle).WithName("RefundPurchase")
            .WithSummary("Refund a paid purchase, fully or in part")
            .WithDescription("""
                Records a refund of a purchase paid outside CharityPromo (`payment.method = "external"`). `amount` is what the
                shopper gets back, out of what they paid (purchase + round-up + add-on); omit it to refund everything still
                refundable. Each donation part is reversed in proportion, rounded half away from zero on the cumulative
                refunded share, so partial refunds add up exactly to a full one. Needs an `Idempotency-Key`.
                Checkout keys refund their own purchases; admin keys any.
                """)
            .RequireAuthorization(Policies.Refunders).RequireIdempotencyKey().Validate<RefundRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{id:guid}", GetPurchase).WithName(nameof(GetPurchase))
            .WithSummary("Get a purchase")
            .WithDescription("Checkout keys see their own purchases; finance and admin keys see all.")
            .RequireAuthorization(Policies.PurchaseReaders).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/", ListPurchases).WithName(nameof(ListPurchases))
            .WithSummary("Find purchases, e.g. by the checkout's order id")
            .WithDescription($"Newest first, at most {MaxListSize}. Checkout keys see their own purchases; finance and admin keys see all.")
            .RequireAuthorization(Policies.PurchaseReaders);
    }

    private static async Task<Results<Created<PurchaseResponse>, ProblemHttpResult>> CreatePurchase(
        PurchaseRequest request, ClaimsPrincipal user, AppDb db, CustomerRefHasher hasher, TimeProvider clock, CancellationToken ct)
    {
        if (request.Payment!.Method == PaymentMethods.Stripe)
            return Problems.Unprocessable("payment.method", "Stripe payments are not configured on this server: record purchases paid elsewhere with method 'external'.");

        var now = clock.GetUtcNow().UtcDateTime;
        var (priced, problem) = await DonationPricer.PriceAsync(db, hasher, request, now, ct);
        if (priced is null) return problem!;

        var purchase = new Purchase
        {
            ClientId = user.ClientId(),
            OrderId = request.OrderId,
            ReceiptCode = ReceiptCodes.New(),
            CampaignId = priced.Campaign.Id,
            CharityId = priced.Charity.Id,
            Currency = request.Currency,
            Amount = request.Amount,
            MerchantPledge = priced.Donation.MerchantPledge,
            Match = priced.Donation.Match,
            RoundUp = priced.Donation.RoundUp,
            AddOn = priced.Donation.AddOn,
            DonationTotal = priced.Donation.Total,
            Status = PurchaseStatus.Confirmed,
            CustomerHash = priced.CustomerHash,
            PaymentMethod = PaymentMethods.External,
            PaymentReference = request.Payment.Reference,
            CreatedUtc = now,
            ConfirmedUtc = now,
        };
        db.Purchases.Add(purchase);
        try
        {
            await LedgerWriter.PostAsync(db, [
                LedgerWriter.Entry(purchase, LedgerKind.Pledged, priced.Donation, LedgerWriter.PurchaseCause, $"client:{user.Identity!.Name}", now),
                LedgerWriter.Entry(purchase, LedgerKind.Confirmed, priced.Donation, LedgerWriter.PurchaseCause, $"external:{request.Payment.Reference}", now),
            ], ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolationOn(ex, "Purchases.OrderId"))
        {
            db.ChangeTracker.Clear();
            return Problems.Conflict("orderId", $"Order '{request.OrderId}' was already recorded by this API client.");
        }

        if (purchase.Match > 0)
        {
            // Conditional increment: the budget holds even if another instance matched meanwhile (then this write rolls back).
            var reserved = await db.Campaigns
                .Where(c => c.Id == purchase.CampaignId && c.MatchUsed + purchase.Match <= c.MatchBudget)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.MatchUsed, c => c.MatchUsed + purchase.Match), ct);
            if (reserved != 1) throw new DbUpdateConcurrencyException("The match budget changed while this purchase was being recorded.");
        }

        return TypedResults.Created($"/api/purchases/{purchase.Id}", purchase.ToResponse(priced.Campaign.Slug, priced.Charity.Slug));
    }

    private static async Task<Results<Ok<PurchaseResponse>, ProblemHttpResult>> GetPurchase(
        Guid id, ClaimsPrincipal user, AppDb db, CancellationToken ct)
    {
        var found = await WithSlugs(db, VisibleTo(db, user).Where(p => p.Id == id)).SingleOrDefaultAsync(ct);
        return found is null
            ? Problems.NotFound($"No purchase '{id}' for this API key.")
            : TypedResults.Ok(found.Purchase.ToResponse(found.Campaign, found.Charity));
    }

    private static async Task<Results<Ok<List<PurchaseResponse>>, ValidationProblem>> ListPurchases(
        string? orderId, int? limit, ClaimsPrincipal user, AppDb db, CancellationToken ct)
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

    private static PurchaseResponse ToResponse(this Purchase p, string campaign, string charity) => new(
        p.Id, p.OrderId, p.ReceiptCode, p.Status, campaign, charity, p.Currency, p.Amount,
        DonationResponse.From(p.Donation), p.Refunded, p.Reversed,
        new PaymentResponse(p.PaymentMethod, p.Status is PurchaseStatus.Pending or PurchaseStatus.Failed ? "pending" : "succeeded",
            p.PaymentReference, p.AmountPaid),
        DateTime.SpecifyKind(p.CreatedUtc, DateTimeKind.Utc),
        p.ConfirmedUtc is { } c ? DateTime.SpecifyKind(c, DateTimeKind.Utc) : null);
}
