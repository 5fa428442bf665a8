using System.Linq.Expressions;
using CharityPromo.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Ledger;

/// <summary>What a campaign cap holds, by the ledger: the one definition <see cref="Campaigns.Campaign.CapUsed"/> keeps up with.</summary>
internal static class CapHeld
{
    /// <summary>An entry's share: the merchant pledge a purchase pledged, less what its void and its reversals gave back (a restored refund takes it again).</summary>
    public static readonly Expression<Func<LedgerEntry, long>> Share = l =>
        l.Kind == LedgerKind.Pledged ? l.Donation.MerchantPledge
        : l.Kind == LedgerKind.Voided || l.Kind == LedgerKind.Reversed ? -l.Donation.MerchantPledge
        : 0;

    public static Task<long> OfAsync(AppDb db, Guid campaignId, CancellationToken ct) =>
        db.Ledger.Where(l => l.CampaignId == campaignId).Select(Share).SumAsync(ct);
}
