using System.Runtime.CompilerServices;
using CharityPromo.Api.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Data;

internal sealed partial class AppDb
{
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();

    /// <summary>
    /// The event, as one delivery per enabled endpoint subscribed to its type: with none, the statement inserts nothing,
    /// so an event nobody listens to costs one statement that finds no endpoint. Plain SQL, the same text on SQLite and
    /// PostgreSQL, so a purchase sends it with its own statements.
    /// </summary>
    public static FormattableString QueueWebhookEvent(string id, string type, DateTime now, string payload, DateTime retryUntil) => $"""
        INSERT INTO "WebhookDeliveries" ("EndpointId", "EventId", "EventType", "Payload", "Status", "Attempts", "NextAttemptUtc", "RetryUntilUtc", "CreatedUtc")
        SELECT "Id", {id}, {type}, {payload}, 'pending', 0, {now}, {retryUntil}, {now}
        FROM "WebhookEndpoints" WHERE "DisabledUtc" IS NULL AND ("Events" = '*' OR "Events" LIKE {$"%,{type},%"})
        """;

    /// <summary>
    /// Marks the campaign's goal reached when its raised total (confirmed − reversed, over its charities) first reaches it:
    /// changes 1 row exactly once per campaign. Finds nothing to change (and locks nothing) on every other call.
    /// </summary>
    public static FormattableString MarkGoalReached(Guid campaignId, DateTime now) => $"""
        UPDATE "Campaigns" SET "GoalReachedUtc" = {now}
        WHERE "Id" = {campaignId} AND "GoalReachedUtc" IS NULL AND "Goal" > 0
          AND "Goal" <= (SELECT COALESCE(SUM(t."Confirmed" - t."Reversed"), 0) FROM "CampaignTotals" t
                         WHERE t."CampaignId" = {campaignId} AND t."Currency" = "Campaigns"."Currency")
        """;

    /// <summary>
    /// Claims up to <paramref name="max"/> due deliveries for this dispatcher until <paramref name="leaseUntil"/>, and
    /// returns their ids. On PostgreSQL rows another instance's open claim holds are skipped (<c>SKIP LOCKED</c>), so
    /// instances never wait on each other; once that claim commits, its lease keeps them out.
    /// </summary>
    public Task<List<long>> ClaimWebhookDeliveriesAsync(DateTime now, DateTime leaseUntil, int max, CancellationToken ct)
    {
        var skipLocked = Database.GetDbConnection() is Npgsql.NpgsqlConnection ? "FOR UPDATE SKIP LOCKED" : "";
        var sql = FormattableStringFactory.Create($$"""
            UPDATE "WebhookDeliveries" SET "LeaseUntilUtc" = {0}
            WHERE "Id" IN (
                SELECT d."Id" FROM "WebhookDeliveries" d
                WHERE d."Status" = 'pending' AND d."NextAttemptUtc" <= {1} AND (d."LeaseUntilUtc" IS NULL OR d."LeaseUntilUtc" < {1})
                  AND EXISTS (SELECT 1 FROM "WebhookEndpoints" e WHERE e."Id" = d."EndpointId" AND e."DisabledUtc" IS NULL)
                ORDER BY d."NextAttemptUtc" LIMIT {2} {{skipLocked}})
            RETURNING "Id"
            """, leaseUntil, now, max);
        return this.QueryAsync(readers: null, sql, async (rows, token) =>
        {
            var ids = new List<long>();
            while (await rows.ReadAsync(token)) ids.Add(rows.GetInt64(0));
            return ids;
        }, ct);
    }

    // A dispatcher round records its answers with these, as plain statements (see WebhookDispatcher.RecordAsync).

    public static FormattableString WebhookDelivered(long id, int attempts, DateTime now) => $"""
        UPDATE "WebhookDeliveries" SET "Status" = 'delivered', "Attempts" = {attempts}, "NextAttemptUtc" = NULL, "LeaseUntilUtc" = NULL,
            "DeliveredUtc" = {now}
        WHERE "Id" = {id}
        """;

    public static FormattableString WebhookRetrying(long id, int attempts, DateTime next) => $"""
        UPDATE "WebhookDeliveries" SET "Attempts" = {attempts}, "NextAttemptUtc" = {next}, "LeaseUntilUtc" = NULL WHERE "Id" = {id}
        """;

    public static FormattableString WebhookFailed(long id, int attempts) => $"""
        UPDATE "WebhookDeliveries" SET "Status" = 'failed', "Attempts" = {attempts}, "NextAttemptUtc" = NULL, "LeaseUntilUtc" = NULL WHERE "Id" = {id}
        """;

    public static FormattableString InsertWebhookAttempt(WebhookAttempt a) => $"""
        INSERT INTO "WebhookAttempts" ("DeliveryId", "AttemptedUtc", "StatusCode", "DurationMs", "Response", "Error", "NextRetryUtc")
        VALUES ({a.DeliveryId}, {a.AttemptedUtc}, {a.StatusCode}, {a.DurationMs}, {a.Response}, {a.Error}, {a.NextRetryUtc})
        """;

    /// <summary>Whether anything is due: a read, so an idle dispatcher polls without a write (nor an fsync).</summary>
    public Task<bool> AnyWebhookDeliveryDueAsync(DateTime now, CancellationToken ct) =>
        WebhookDeliveries.AnyAsync(d => d.Status == DeliveryStatus.Pending && d.NextAttemptUtc <= now && (d.LeaseUntilUtc == null || d.LeaseUntilUtc < now)
            && WebhookEndpoints.Any(e => e.Id == d.EndpointId && e.DisabledUtc == null), ct);

    private static void ConfigureWebhooks(ModelBuilder model)
    {
        model.Entity<WebhookEndpoint>(e =>
        {
            e.Property(w => w.Url).HasMaxLength(Limits.Url);
            e.Property(w => w.Events).HasMaxLength(1000);
            e.Property(w => w.Description).HasMaxLength(Limits.Name);
            e.Property(w => w.Secret).HasMaxLength(200);
            e.Property(w => w.PreviousSecret).HasMaxLength(200);
            e.Property(w => w.DisabledReason).HasMaxLength(Limits.Name);
        });
        model.Entity<WebhookDelivery>(e =>
        {
            e.HasIndex(d => new { d.Status, d.NextAttemptUtc }); // the dispatcher's claim reads only what is due
            e.HasIndex(d => new { d.EndpointId, d.Id }); // an endpoint's delivery log, newest first
            e.Property(d => d.EventId).HasMaxLength(64);
            e.Property(d => d.EventType).HasMaxLength(64);
            e.Property(d => d.Status).HasMaxLength(16);
            e.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<WebhookAttempt>(e =>
        {
            e.HasIndex(a => a.DeliveryId);
            e.Property(a => a.Response).HasMaxLength(2000);
            e.Property(a => a.Error).HasMaxLength(Limits.Name);
            e.HasOne<WebhookDelivery>().WithMany().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
