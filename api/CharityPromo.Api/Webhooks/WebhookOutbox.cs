using System.Text.Json;
using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Purchases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace CharityPromo.Api.Webhooks;

/// <summary>The event envelope, as sent: <c>{"id","type","created","data":{"object":…}}</c>.</summary>
/// <param name="Created">Unix seconds.</param>
internal sealed record WebhookEnvelope(string Id, string Type, long Created, WebhookData Data);

/// <param name="Object">What the API's GET returns for the object, as it was when the event happened.</param>
internal sealed record WebhookData(object Object);

/// <summary>
/// Writes events inside the caller's write transaction, so an event exists exactly when its change committed (a write
/// the writer undoes takes its event with it). Each transition that has an event calls one of these at the one place
/// it happens; the dispatcher (<see cref="WebhookDispatcher"/>) delivers them after the commit.
/// </summary>
internal static class WebhookOutbox
{
    /// <summary>How long a failing delivery is retried before its endpoint is disabled.</summary>
    public static readonly TimeSpan RetryWindow = TimeSpan.FromDays(3);

    /// <summary>The statement that queues the event for every subscribed endpoint (nothing when none is), to send with others.</summary>
    public static FormattableString Statement(string type, object obj, DateTime now)
    {
        var id = $"evt_{Guid.CreateVersion7():N}";
        var payload = JsonSerializer.Serialize(new WebhookEnvelope(id, type, new DateTimeOffset(now, TimeSpan.Zero).ToUnixTimeSeconds(), new WebhookData(obj)),
            ApiJson.Options);
        return AppDb.QueueWebhookEvent(id, type, now, payload, now + RetryWindow);
    }

    public static Task RecordAsync(AppDb db, string type, object obj, DateTime now, CancellationToken ct) =>
        db.ExecuteAsync(Statement(type, obj, now), ct);

    /// <summary>A purchase event: the purchase as <c>GET /api/purchases/{id}</c> shows it, with the changes this write made.</summary>
    public static async Task PurchaseAsync(AppDb db, string type, Purchase purchase, DateTime now, CancellationToken ct)
    {
        var campaign = await db.Campaigns.Where(c => c.Id == purchase.CampaignId).Select(c => c.Slug).SingleAsync(ct);
        var charity = await db.Charities.Where(c => c.Id == purchase.CharityId).Select(c => c.Slug).SingleAsync(ct);
        await RecordAsync(db, type, purchase.ToResponse(campaign, charity), now, ct);
    }

    /// <summary>A campaign event: the campaign as <c>GET /api/campaigns/{slug}</c> shows it.</summary>
    public static async Task CampaignAsync(AppDb db, string type, Guid campaignId, DateTime now, CancellationToken ct)
    {
        var slug = await db.Campaigns.Where(c => c.Id == campaignId).Select(c => c.Slug).SingleAsync(ct);
        // The shop's name, which the campaign's disclosure carries: EF hands over the app's own options here (a pooled
        // context's constructor takes nothing else), and the writes that raise campaign events are deep in the ledger.
        var shop = db.GetService<Microsoft.Extensions.Options.IOptions<ShopOptions>>().Value.Name;
        await RecordAsync(db, type, (await CampaignEndpoints.ReadResponseAsync(db, readers: null, slug, now, shop, ct))!, now, ct);
    }
}
