using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Purchases;
using CharityPromo.Api.Remittances;

namespace CharityPromo.Api.Webhooks;

/// <summary>An event type, what it means, and the object it carries (what the API's GET returns for it).</summary>
internal sealed record WebhookEventType(string Name, Type ObjectType, string Description);

/// <summary>Every event the API sends: the one list endpoint validation, the outbox and the OpenAPI document read.</summary>
internal static class WebhookEventTypes
{
    public const string All = "*";
    public const string PurchaseConfirmed = "purchase.confirmed";
    public const string PurchaseFailed = "purchase.failed";
    public const string PurchaseRefunded = "purchase.refunded";
    public const string PurchaseDisputed = "purchase.disputed";
    public const string PurchaseDisputeClosed = "purchase.dispute_closed";
    public const string RemittanceCreated = "remittance.created";
    public const string RemittancePaid = "remittance.paid";
    public const string CampaignGoalReached = "campaign.goal_reached";
    public const string CampaignEnded = "campaign.ended";

    public static readonly IReadOnlyList<WebhookEventType> List =
    [
        new(PurchaseConfirmed, typeof(PurchaseResponse), "A purchase's payment succeeded (or it was recorded paid elsewhere): its pledge counts."),
        new(PurchaseFailed, typeof(PurchaseResponse), "A purchase's payment failed or was cancelled: its pledge does not count (unless a later attempt succeeds)."),
        new(PurchaseRefunded, typeof(PurchaseResponse), "A refund of a purchase was recorded, in full or in part: its pledge was reversed in proportion."),
        new(PurchaseDisputed, typeof(PurchaseResponse), "The shopper's bank opened a dispute (or an inquiry) on a purchase: an open dispute holds its pledge."),
        new(PurchaseDisputeClosed, typeof(PurchaseResponse), "A dispute was closed: won (the pledge counts again) or lost (its share reversed)."),
        new(RemittanceCreated, typeof(RemittanceResponse), "A draft remittance batch gathered what a charity is owed."),
        new(RemittancePaid, typeof(RemittanceResponse), "A remittance batch was paid to its charity (by bank or Stripe transfer)."),
        new(CampaignGoalReached, typeof(CampaignResponse), "A campaign's raised total reached its goal for the first time."),
        new(CampaignEnded, typeof(CampaignResponse), "A campaign passed its end: it takes no more purchases."),
    ];

    public static bool IsKnown(string name) => List.Any(t => t.Name == name);
}
