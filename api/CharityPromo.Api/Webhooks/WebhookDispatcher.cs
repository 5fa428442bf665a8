using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using CharityPromo.Api.Audit;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CharityPromo.Api.Webhooks;

/// <summary>
/// Sends the outbox's deliveries, on every instance. Each round claims due deliveries (a lease, taken with
/// <c>SKIP LOCKED</c> on PostgreSQL so instances never claim the same ones), POSTs them at once, signed, and records each
/// answer: 2xx is delivered; anything else, or no answer, is retried after <see cref="WebhookOptions.RetryDelay"/> until
/// the retry window ends, and then the endpoint is disabled. A dispatcher that dies between sending and recording leaves
/// its lease to expire and the delivery is sent again: at least once, never lost, in no guaranteed order. Each round
/// also writes campaign.ended for campaigns whose end has passed.
/// </summary>
internal sealed class WebhookDispatcher(IServiceScopeFactory scopes, Writes writes, IHttpClientFactory clients, WebhookSecrets secrets,
    IOptions<WebhookOptions> options, TimeProvider clock, ApiMetrics metrics, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "Webhooks";
    public const int MaxPayloadBytes = 64 * 1024;
    /// <summary>Of each answer only the status and this much of the body are kept.</summary>
    public const int KeptResponseBytes = 1024;
    private static readonly TimeSpan GaugeEvery = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private long _gaugeRead = Stopwatch.GetTimestamp() - Stopwatch.Frequency * 3600;

    /// <summary>Starts the next round now rather than at the next poll (a delivery queued to be sent again).</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var sent = 0;
            try
            {
                await AnnounceEndedCampaignsAsync(stopping);
                sent = await RunRoundAsync(stopping);
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                logger.LogError(ex, "A webhook dispatch round failed; the next one retries what it claimed once the lease ends.");
            }
            // A full round: more are probably due. Otherwise wait, so that under load rounds are full ones (each round
            // costs the single writer two writes, whatever its size) and an idle dispatcher only reads now and then.
            if (sent >= options.Value.BatchSize) continue;
            try
            {
                await _wake.WaitAsync(options.Value.PollInterval, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One round: claim what is due, send it, record the answers. Returns how many were sent.</summary>
    public async Task<int> RunRoundAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        // The gauge's query reads every pending row: every few seconds, not every round, or a backlog would slow its own draining.
        if (Stopwatch.GetElapsedTime(_gaugeRead) >= GaugeEvery)
        {
            _gaugeRead = Stopwatch.GetTimestamp();
            metrics.OldestUndeliveredWebhookUtc = await db.WebhookDeliveries.Where(d => d.Status == DeliveryStatus.Pending
                    && db.WebhookEndpoints.Any(e => e.Id == d.EndpointId && e.DisabledUtc == null))
                .MinAsync(d => (DateTime?)d.CreatedUtc, ct);
        }
        if (!await db.AnyWebhookDeliveryDueAsync(now, ct)) return 0;

        var claimed = new List<long>();
        await writes.RunAsync(async w => claimed = await w.ClaimWebhookDeliveriesAsync(now, now + options.Value.Lease, options.Value.BatchSize, ct));
        if (claimed.Count == 0) return 0;
        try
        {
            return await SendClaimedAsync(db, claimed, now, ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // Let the next round have them now rather than when the lease ends.
            await writes.RunAsync(w => w.WebhookDeliveries.Where(d => claimed.Contains(d.Id) && d.Status == DeliveryStatus.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseUntilUtc, (DateTime?)null), ct));
            throw;
        }
    }

    private async Task<int> SendClaimedAsync(AppDb db, List<long> claimed, DateTime now, CancellationToken ct)
    {
        var work = await db.WebhookDeliveries.AsNoTracking().Where(d => claimed.Contains(d.Id))
            .Join(db.WebhookEndpoints, x => x.EndpointId, e => e.Id, (x, e) => new Work(x.Id, x.EndpointId, x.Payload, e.Url, e.Secret,
                e.PreviousSecretExpiresUtc > now ? e.PreviousSecret : null))
            .ToListAsync(ct);
        var answers = await Task.WhenAll(work.Select(w => SendAsync(w, ct)));
        await writes.RunAsync(db => RecordAsync(db, answers, ct));
        return answers.Length;
    }

    private sealed record Work(long Id, Guid EndpointId, string Payload, string Url, string Secret, string? PreviousSecret);

    /// <param name="Final">No retry can help (the payload is too large to send).</param>
    private sealed record Answer(Work Work, DateTime AttemptedUtc, int? StatusCode, int DurationMs, string? Body, string? Error, bool Final = false)
    {
        public bool Delivered => StatusCode is >= 200 and < 300;
    }

    private async Task<Answer> SendAsync(Work work, CancellationToken ct)
    {
        var attempted = clock.GetUtcNow();
        var body = Encoding.UTF8.GetBytes(work.Payload);
        if (body.Length > MaxPayloadBytes) return new(work, attempted.UtcDateTime, null, 0, null, $"The event is over {MaxPayloadBytes / 1024} KiB: not sent.", Final: true);
        if (WebhookTargets.UrlProblem(work.Url, options.Value.AllowLoopback) is { } refused) return new(work, attempted.UtcDateTime, null, 0, null, refused);

        using var request = new HttpRequestMessage(HttpMethod.Post, work.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        string[] signers;
        try
        {
            signers = work.PreviousSecret is null ? [secrets.Unprotect(work.Secret)] : [secrets.Unprotect(work.Secret), secrets.Unprotect(work.PreviousSecret)];
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or FormatException)
        {
            // One endpoint's secret this instance cannot read (Webhooks__SecretKey changed, or differs between instances) fails
            // that endpoint's delivery, recorded and retried like any other failure, and holds up no other endpoint's.
            return new(work, attempted.UtcDateTime, null, 0, null, "The endpoint's signing secret cannot be decrypted with this server's Webhooks__SecretKey: rotate the secret.");
        }
        request.Headers.Add(WebhookSignature.Header, WebhookSignature.For(attempted.ToUnixTimeSeconds(), body, signers));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("CharityPromo-Webhooks", "1"));
        var started = Stopwatch.GetTimestamp();
        int Elapsed() => (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.Timeout); // the client's own timeout ends at the headers; this covers the body read too
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var duration = Elapsed();
            var kept = new byte[KeptResponseBytes];
            var read = 0;
            await using (var stream = await response.Content.ReadAsStreamAsync(timeout.Token))
            {
                int n;
                while (read < kept.Length && (n = await stream.ReadAsync(kept.AsMemory(read), timeout.Token)) > 0) read += n;
            }
            return new(work, attempted.UtcDateTime, (int)response.StatusCode, duration, Encoding.UTF8.GetString(kept, 0, read), null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new(work, attempted.UtcDateTime, null, Elapsed(), null, $"No answer within {options.Value.Timeout.TotalSeconds:0.###} s.");
        }
        catch (HttpRequestException ex)
        {
            var reason = ex.InnerException is RefusedAddressException refusedAddress ? refusedAddress.Message : $"{ex.HttpRequestError}: {ex.Message}";
            return new(work, attempted.UtcDateTime, null, Elapsed(), null, reason.Length > Limits.Name ? reason[..Limits.Name] : reason);
        }
    }

    /// <summary>
    /// Records the answers, in one write of plain statements (one round trip on PostgreSQL; no change tracking on the
    /// single writer, which every purchase waits for). A delivery whose endpoint was deleted meanwhile is gone: nothing to record.
    /// </summary>
    private async Task RecordAsync(AppDb db, Answer[] answers, CancellationToken ct)
    {
        var ids = answers.Select(a => a.Work.Id).ToList();
        var pending = await db.WebhookDeliveries.AsNoTracking().Where(d => ids.Contains(d.Id) && d.Status == DeliveryStatus.Pending)
            .Select(d => new { d.Id, d.Attempts, d.RetryUntilUtc }).ToDictionaryAsync(d => d.Id, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var statements = new List<FormattableString>(answers.Length * 2);
        var givenUp = new HashSet<Guid>();
        foreach (var answer in answers)
        {
            if (!pending.TryGetValue(answer.Work.Id, out var delivery)) continue;
            var attempts = delivery.Attempts + 1;
            var retryAt = now + options.Value.RetryDelay(attempts);
            var outcome = answer.Delivered ? DeliveryStatus.Delivered
                : !answer.Final && retryAt <= delivery.RetryUntilUtc ? "retrying"
                : DeliveryStatus.Failed;
            DateTime? next = outcome == "retrying" ? retryAt : null;
            statements.Add(outcome switch
            {
                DeliveryStatus.Delivered => AppDb.WebhookDelivered(delivery.Id, attempts, now),
                "retrying" => AppDb.WebhookRetrying(delivery.Id, attempts, retryAt),
                _ => AppDb.WebhookFailed(delivery.Id, attempts),
            });
            statements.Add(AppDb.InsertWebhookAttempt(new WebhookAttempt
            {
                DeliveryId = delivery.Id, AttemptedUtc = answer.AttemptedUtc, StatusCode = answer.StatusCode, DurationMs = answer.DurationMs,
                Response = answer.Body, Error = answer.Error, NextRetryUtc = next,
            }));
            if (outcome == DeliveryStatus.Failed && !answer.Final) givenUp.Add(answer.Work.EndpointId);
            db.CountOnCommit(m => m.WebhookDelivered(outcome));
            if (!answer.Delivered)
                logger.LogWarning("Webhook delivery {Delivery} to endpoint {Endpoint} failed ({Status}{Error}); {Outcome}.", delivery.Id, answer.Work.EndpointId,
                    answer.StatusCode?.ToString() ?? "no answer", answer.Error is null ? "" : $": {answer.Error}", outcome);
        }
        if (statements.Count > 0) await db.ExecuteAsync(statements, ct);
        foreach (var endpointId in givenUp) await DisableAsync(db, endpointId, now, ct);
    }

    /// <summary>Deliveries kept failing for the whole retry window: the endpoint is disabled (once), with an audit entry.</summary>
    private static async Task DisableAsync(AppDb db, Guid endpointId, DateTime now, CancellationToken ct)
    {
        const string reason = "Deliveries failed for 3 days.";
        if (await db.WebhookEndpoints.Where(e => e.Id == endpointId && e.DisabledUtc == null)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.DisabledUtc, now).SetProperty(e => e.DisabledReason, reason), ct) == 1)
            await AuditTrail.RecordAsync(db, Actor, "webhook_endpoint.disabled", $"webhook_endpoint:{endpointId}",
                new AuditChanges().Set("status", "enabled", "disabled").Set("reason", null, reason), now, ct);
    }

    /// <summary>The actor of what the dispatcher changes (an endpoint it disabled).</summary>
    public const string Actor = "webhooks";

    /// <summary>campaign.ended, once per campaign whose end has passed: whichever instance marks it first writes the event.</summary>
    private async Task AnnounceEndedCampaignsAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        List<Guid> ended;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDb>();
            ended = await db.Campaigns.AsNoTracking().Where(c => c.EndsUtc <= now && c.EndAnnouncedUtc == null).Select(c => c.Id).Take(50).ToListAsync(ct);
        }
        if (ended.Count == 0) return;
        await writes.RunAsync(async db =>
        {
            foreach (var id in ended)
                if (await db.Campaigns.Where(c => c.Id == id && c.EndAnnouncedUtc == null).ExecuteUpdateAsync(s => s.SetProperty(c => c.EndAnnouncedUtc, now), ct) == 1)
                    await WebhookOutbox.CampaignAsync(db, WebhookEventTypes.CampaignEnded, id, now, ct);
        });
    }
}
