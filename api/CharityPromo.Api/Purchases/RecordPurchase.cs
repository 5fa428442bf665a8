using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Ledger;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Purchases;

internal sealed record RecordedPurchase(Purchase Purchase, string Campaign, string Charity);

/// <summary>Prices a purchase request and records it with its pledge, inside the write transaction.</summary>
internal static class RecordPurchase
{
    /// <param name="paidBy">Set when the purchase is already paid (external payments): it is recorded confirmed, and
    /// its pledge and confirmation are posted together. Null records it pending.</param>
    public static async Task<(RecordedPurchase? Recorded, ProblemHttpResult? Problem)> RecordAsync(
        AppDb db, PurchaseRequest request, Guid clientId, string clientName, CustomerRefHasher hasher, DateTime now,
        string? paidBy, Action<Purchase>? configure, CancellationToken ct)
    {
        await db.LockCampaignAsync(request.Campaign, ct); // first, before anything is read or written (PostgreSQL)
        var (priced, problem) = await DonationPricer.PriceAsync(db, readers: null, hasher, request, now, ct); // in the write transaction
        if (priced is null) return (null, problem);

        var purchase = new Purchase
        {
            ClientId = clientId,
            OrderId = request.OrderId,
            ReceiptCode = ReceiptCodes.New(),
            CampaignId = priced.Campaign.Id,
            CharityId = priced.Charity.Id,
            Currency = request.Currency,
            Amount = request.Amount,
            Donation = priced.Donation,
            DonationTotal = priced.Donation.Total,
            Status = paidBy is null ? PurchaseStatus.Pending : PurchaseStatus.Confirmed,
            CustomerHash = priced.CustomerHash,
            PaymentMethod = request.Payment!.Method,
            PaymentStatus = paidBy is null ? PaymentStatuses.NotStarted : PaymentStatuses.Succeeded,
            CreatedUtc = now,
            ConfirmedUtc = paidBy is null ? null : now,
        };
        configure?.Invoke(purchase);

        // Conditional increments: the match budget and the campaign cap hold even if another instance used them meanwhile
        // (then this write rolls back). Sent with the purchase's own statements: on PostgreSQL, no round trip of its own.
        // The cap is kept only while the campaign has one (CampaignEndpoints counts what is held when one is set).
        var capTaken = priced.Campaign.CampaignCap is null ? 0 : purchase.Donation.MerchantPledge;
        var reserve = purchase.Donation.Match > 0 || capTaken > 0 ? AppDb.ReserveBudgets(purchase.CampaignId, purchase.Donation.Match, capTaken) : null;
        int reserved;
        try
        {
            var pledged = LedgerWriter.Entry(purchase, LedgerKind.Pledged, priced.Donation, LedgerWriter.PurchaseCause, $"client:{clientName}", now);
            // Paid already: confirmed in the same write, so its event goes with the purchase's own statements.
            reserved = await LedgerWriter.PostNewPurchaseAsync(db, purchase, paidBy is null
                ? [pledged]
                : [pledged, LedgerWriter.Entry(purchase, LedgerKind.Confirmed, priced.Donation, LedgerWriter.PurchaseCause, paidBy, now)], reserve,
                paidBy is null ? [] : [WebhookOutbox.Statement(WebhookEventTypes.PurchaseConfirmed, purchase.ToResponse(priced.Campaign.Slug, priced.Charity.Slug), now)],
                ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolationOn(ex, "Purchases.CreationKey"))
        {
            // Whatever the payment method: one Idempotency-Key, one purchase. (The Stripe path then looks for that purchase,
            // which may be this very request recorded meanwhile; the idempotency record settles the external path.)
            return (null, Writes.KeyReused());
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolationOn(ex, "Purchases.OrderId"))
        {
            return (null, Problems.Conflict("orderId", $"Order '{request.OrderId}' was already recorded by this API client."));
        }
        if (reserve is not null && reserved != 1)
            throw new DbUpdateConcurrencyException("The match budget or the campaign cap changed while this purchase was being recorded.");
        db.CountOnCommit(m => m.PurchaseRecorded(purchase.Currency, purchase.PaymentMethod, purchase.DonationTotal));
        return (new RecordedPurchase(purchase, priced.Campaign.Slug, priced.Charity.Slug), null);
    }
}
