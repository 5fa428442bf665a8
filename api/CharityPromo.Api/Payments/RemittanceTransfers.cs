using System.Security.Claims;
using CharityPromo.Api.Access;
using CharityPromo.Api.Audit;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Ledger;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Remittances;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stripe;

namespace CharityPromo.Api.Payments;

/// <summary>
/// A draft batch paid to the charity's Stripe connected account by one Transfer, in three steps like a Stripe
/// purchase: (1) mark the transfer started, which keeps the batch from being paid by bank or deleted meanwhile;
/// (2) create the Transfer outside the transaction under <c>remittance:{id}:transfer</c>, in the transfer group
/// <c>remittance:{id}</c>; (3) mark the batch paid with the transfer's id. A retry resumes at step 2, and after an
/// attempt without an answer it first lists the group's transfers: however often it is retried, there is one transfer.
/// Stripe's <c>transfer.created</c> also completes step 3, so a crash after Stripe made it needs no retry at all.
/// </summary>
internal static class RemittanceTransfers
{
    public static void MapRemittanceTransfers(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/remittances").WithTags("Remittances").RequireAuthorization(Scopes.Finance).WithIdempotencyKeys()
            .MapPost("/{id:guid}/transfer", TransferRemittance).WithName(nameof(TransferRemittance))
            .WithSummary("Pay a draft batch to the charity's Stripe account by transfer (finance)")
            .WithDescription("""
                Creates one Stripe Transfer of the batch's amount, in its currency, to the charity's connected account (see
                `POST /api/charities/{slug}/stripe/onboarding`), and answers the batch `paid` with `transferId`. Retrying
                after a 503, or after a crash, resumes and never makes a second transfer; retrying a paid batch answers it
                as it is. A refusal by Stripe (the platform's balance is short, the account cannot receive transfers) is a
                422 naming Stripe's `code`, and leaves the batch a draft. While a transfer is started, the batch cannot be
                paid by bank or deleted. If Stripe later reverses the transfer, in full or in part, the reversed share
                of each pledge is outstanding again: `transferReversed` on the batch, `reopened` on its statement.
                """)
            .Produces<RemittanceResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status502BadGateway).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    public static string TransferGroup(Guid remittanceId) => $"remittance:{remittanceId}";

    /// <summary>The first attempt's key is <c>remittance:{id}:transfer</c>; each attempt after one that Stripe refused or did not answer has its own.</summary>
    public static string TransferKey(Remittance batch) =>
        batch.TransferAttempts == 0 ? $"remittance:{batch.Id}:transfer" : $"remittance:{batch.Id}:transfer:{batch.TransferAttempts}";

    private static async Task<IResult> TransferRemittance(Guid id, ClaimsPrincipal user, AppDb db, Writes writes, StripeClient stripe,
        IOptions<StripeOptions> options, TimeProvider clock, ILogger<Remittance> logger, CancellationToken ct)
    {
        var actor = AuditTrail.Actor(user);
        var batch = await db.Remittances.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct);
        if (batch is null) return Problems.NotFound($"No remittance '{id}'.");
        var charity = await db.Charities.AsNoTracking().SingleAsync(c => c.Id == batch.CharityId, ct);
        if (batch.Status != RemittanceStatus.Draft)
            return batch.TransferId is null ? RemittanceEndpoints.AlreadyPaid() : TypedResults.Ok(batch.ToResponse(charity.Slug));
        if (!options.Value.IsConfigured) return Problems.Unprocessable("transfer", "Stripe is not configured on this server: pay the batch by bank (POST /api/remittances/{id}/paid).");
        if (batch.TransferStartedUtc is null)
        {
            if (charity.StripeAccountId is null || !charity.StripeTransfersEnabled)
                return Problems.Unprocessable("charity", $"'{charity.Slug}' cannot receive Stripe transfers "
                    + (charity.StripeAccountId is null ? "until it is onboarded (POST /api/charities/{slug}/stripe/onboarding)" : "until Stripe enables its account")
                    + ": pay this batch by bank (POST /api/remittances/{id}/paid) meanwhile.");
            if (batch.Amount <= 0)
                return Problems.Unprocessable("amount", $"This batch comes to {Currencies.ToMajorString(batch.Amount, batch.Currency)} {batch.Currency}: "
                    + "only a positive amount can be transferred. Delete it and let the reversals carry forward into a later batch.");
        }

        // Step 1: the transfer is started; from now on only this endpoint (or Stripe's news) finishes the batch.
        var now = clock.GetUtcNow().UtcDateTime;
        await writes.RunAsync(async batchDb =>
        {
            if (await batchDb.Remittances.Where(r => r.Id == id && r.Status == RemittanceStatus.Draft && r.TransferStartedUtc == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.TransferStartedUtc, now), ct) == 1)
                await AuditTrail.RecordAsync(batchDb, actor, "remittance.transfer_started", $"remittance:{id}",
                    new AuditChanges().Set("transferStartedUtc", null, now).Set("destination", null, charity.StripeAccountId), now, ct);
        });
        batch = await db.Remittances.AsNoTracking().SingleAsync(r => r.Id == id, ct);
        if (batch.Status != RemittanceStatus.Draft) return TypedResults.Ok(batch.ToResponse(charity.Slug));

        // Step 2: Stripe, outside the transaction.
        Transfer transfer;
        try
        {
            transfer = await MadeByAnEarlierAttemptAsync(stripe, batch, ct) ?? await stripe.V1.Transfers.CreateAsync(new TransferCreateOptions
            {
                Amount = batch.Amount,
                Currency = batch.Currency,
                Destination = charity.StripeAccountId,
                TransferGroup = TransferGroup(batch.Id),
                Description = $"CharityPromo remittance to {charity.Name}, pledges confirmed before {batch.CutoffUtc:yyyy-MM-dd HH:mm} UTC",
                Metadata = new() { ["remittance_id"] = batch.Id.ToString(), ["charity"] = charity.Slug },
            }, new RequestOptions { IdempotencyKey = TransferKey(batch) }, ct);
        }
        catch (Exception ex) when (StripeProblems.IsStripeFailure(ex, ct))
        {
            // Stripe keeps its answer under the key, so the next attempt takes a new one: after a refusal nothing was made
            // and the batch is a draft again; after no answer the next attempt looks for what this one may have made.
            var refused = !StripeProblems.IsTransient(ex);
            var attempt = batch.TransferAttempts;
            await writes.RunAsync(async batchDb =>
            {
                await batchDb.Remittances.Where(r => r.Id == id && r.Status == RemittanceStatus.Draft && r.TransferAttempts == attempt)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.TransferAttempts, attempt + 1)
                        .SetProperty(r => r.TransferStartedUtc, r => refused ? null : r.TransferStartedUtc), ct);
            });
            if (refused) logger.LogWarning("Stripe refused the transfer of remittance {Remittance}: {Message}", id, ex.Message);
            return StripeProblems.From(ex, "transfer", new Dictionary<string, object?> { ["remittanceId"] = id });
        }

        // Step 3: the batch is paid.
        await writes.RunAsync(async batchDb =>
        {
            await RecordTransferAsync(batchDb, actor, id, transfer, clock.GetUtcNow().UtcDateTime, ct);
        });
        batch = await db.Remittances.AsNoTracking().SingleAsync(r => r.Id == id, ct);
        return TypedResults.Ok(batch.ToResponse(charity.Slug));
    }

    /// <summary>After an attempt without an answer: the transfer it may have made, found in the batch's transfer group.</summary>
    private static async Task<Transfer?> MadeByAnEarlierAttemptAsync(StripeClient stripe, Remittance batch, CancellationToken ct)
    {
        if (batch.TransferAttempts == 0) return null;
        var listed = await stripe.V1.Transfers.ListAsync(new TransferListOptions { TransferGroup = TransferGroup(batch.Id), Limit = 10 }, cancellationToken: ct);
        return listed.Data.OrderBy(t => t.Created).FirstOrDefault();
    }

    /// <summary>The batch paid by this transfer (whoever brings the news: the request, <c>transfer.created</c>), then any reversal it carries.</summary>
    public static async Task<string> RecordTransferAsync(AppDb db, string actor, Guid id, Transfer transfer, DateTime now, CancellationToken ct)
    {
        var paid = await RemittanceEndpoints.RecordPaidAsync(db, actor, id, transfer.Id, transfer.Id, now, ct);
        var reversed = await ApplyReversalAsync(db, actor, id, transfer, now, ct);
        return $"remittance {id} {(paid ? "paid" : "was paid")} by {transfer.Id}{reversed}";
    }

    /// <summary>The batch a transfer event is about: by the transfer's id, or by our id in its metadata when the news beats the request.</summary>
    public static async Task<Guid?> FindBatchAsync(AppDb db, Transfer transfer, CancellationToken ct)
    {
        var id = await db.Remittances.Where(r => r.TransferId == transfer.Id).Select(r => (Guid?)r.Id).SingleOrDefaultAsync(ct);
        if (id is not null || transfer.Metadata?.GetValueOrDefault("remittance_id") is not { } ours || !Guid.TryParse(ours, out var parsed)) return id;
        // Only a batch whose transfer was started and not yet recorded: metadata naming another batch's is not trusted.
        return await db.Remittances.AnyAsync(r => r.Id == parsed && r.TransferId == null && r.TransferStartedUtc != null, ct) ? parsed : null;
    }

    /// <summary>
    /// What Stripe reversed of the transfer (cumulative, as every transfer event carries it) becomes outstanding again:
    /// each line reopens its share, rounded on the running sum so the shares add up exactly to the reversal, and the
    /// ledger takes back what it had paid. Only ever grows, so the events in any order end in the same state.
    /// </summary>
    private static async Task<string> ApplyReversalAsync(AppDb db, string actor, Guid id, Transfer transfer, DateTime now, CancellationToken ct)
    {
        var batch = await db.Remittances.SingleAsync(r => r.Id == id, ct);
        var reversed = Math.Clamp(transfer.AmountReversed, 0, Math.Max(batch.Amount, 0));
        if (batch.TransferId != transfer.Id || reversed <= batch.TransferReversed) return "";

        // A batch holds thousands of lines: they are read untracked and moved by statements (AppDb.ReopenLinesAsync).
        var lines = await db.RemittanceLines.AsNoTracking().Where(l => l.RemittanceId == id).OrderBy(l => l.PurchaseId).ToListAsync(ct);
        var purchases = await db.Purchases.AsNoTracking().Where(p => db.RemittanceLines.Any(l => l.RemittanceId == id && l.PurchaseId == p.Id))
            .ToDictionaryAsync(p => p.Id, ct);
        var (running, reopenedThrough) = (0L, 0L);
        var (entries, reopened) = (new List<LedgerEntry>(), new List<(Guid, long, long)>());
        foreach (var line in lines)
        {
            running += line.Amount;
            var through = PledgeMath.MultiplyDivideRounded(running, reversed, batch.Amount);
            var (share, delta) = (through - reopenedThrough, through - reopenedThrough - line.Reopened);
            reopenedThrough = through;
            if (delta == 0) continue;
            var entry = LedgerWriter.Remittance(purchases[line.PurchaseId], -delta, id, transfer.Id, now);
            entry.Cause = $"transfer-reversed:{transfer.Id}:{reversed}";
            entries.Add(entry);
            reopened.Add((line.PurchaseId, share, delta));
        }
        var changes = new AuditChanges().Set("transferReversed", batch.TransferReversed, reversed).Set("transferId", null, transfer.Id);
        batch.TransferReversed = reversed;
        await db.SaveChangesAsync(ct);
        await db.ReopenLinesAsync(id, reopened, ct);
        await LedgerWriter.PostRemittedAsync(db, entries, ct);
        await AuditTrail.RecordAsync(db, actor, "remittance.transfer_reversed", $"remittance:{id}", changes, now, ct);
        return $"; {reversed} of {batch.Amount} reversed and outstanding again";
    }
}
