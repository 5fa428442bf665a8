using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using CharityPromo.Api.Access;
using CharityPromo.Api.Audit;
using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Ledger;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Purchases;
using CharityPromo.Api.Reports;
using CharityPromo.Api.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Remittances;

internal static class RemittanceEndpoints
{
    /// <summary>Purchases whose net pledge is owed to the charity once paid.</summary>
    private static readonly PurchaseStatus[] Paid = [PurchaseStatus.Confirmed, PurchaseStatus.PartiallyRefunded, PurchaseStatus.Refunded];

    public static void MapRemittances(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/remittances").WithTags("Remittances").RequireAuthorization(Scopes.Finance).WithIdempotencyKeys();

        group.MapPost("/", CreateRemittance).WithName(nameof(CreateRemittance))
            .WithSummary("Gather outstanding net pledges for a charity up to a cutoff into a draft batch (finance)")
            .WithDescription("""
                Each purchase confirmed before `cutoffUtc`, and at least `Remittances:HoldDays` (7) days ago, contributes what it
                still owes: its net pledge (total − reversed)
                minus what earlier batches took. A refund after a pledge was remitted therefore appears as a negative line in
                the next batch; paid batches are never rewritten. A pledge is in at most one batch at a time, even under
                concurrent requests. Nothing outstanding is a 422. A batch holds at most `Remittances:MaxLines` pledges
                (5,000 unless configured); when more were outstanding, the response has `"moreOutstanding": true` and
                another request with the same cutoff gathers the next ones.
                """)
            .Produces<RemittanceResponse>(StatusCodes.Status201Created).Validate<RemittanceRequest>().ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/{id:guid}/paid", MarkRemittancePaid).WithName(nameof(MarkRemittancePaid))
            .WithSummary("Record that a draft batch was paid to the charity (finance)")
            .Produces<RemittanceResponse>().Validate<RemittancePaidRequest>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{id:guid}", DeleteRemittance).WithName(nameof(DeleteRemittance))
            .WithSummary("Delete a draft batch; its pledges become outstanding again (finance)")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{id:guid}", GetRemittance).WithName(nameof(GetRemittance)).WithSummary("Get a batch (finance)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/", ListRemittances).WithName(nameof(ListRemittances)).WithSummary("List batches, newest first, optionally for one charity (finance)");
        group.MapGet("/{id:guid}/statement", GetRemittanceStatement).WithName(nameof(GetRemittanceStatement))
            .WithSummary("The statement for the charity: one line per purchase, as CSV or JSON (finance)")
            .ProducesJsonOrCsv<StatementResponse>().ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static Task<IResult> CreateRemittance(
        RemittanceRequest request, ClaimsPrincipal user, HttpContext http, Writes writes, IConfiguration config, TimeProvider clock, CancellationToken ct) =>
        writes.RunAsync(http, async db =>
        {
            var charity = await db.Charities.SingleOrDefaultAsync(c => c.Slug == request.Charity, ct);
            if (charity is null) return Problems.Unprocessable("charity", $"No charity '{request.Charity}'.");
            var now = clock.GetUtcNow().UtcDateTime;
            var cutoff = request.CutoffUtc.UtcDateTime;
            if (cutoff > now) return Problems.Unprocessable("cutoffUtc", "The cutoff cannot be in the future.");

            // A batch is one write on the single writer, so it is bounded (Remittances:MaxLines): every checkout waits while it
            // runs, and an unbounded backlog would hold them all. One more than the limit is read to know whether more are
            // outstanding, in the charity index's own order (ordering by the column the filter fixes costs no sort), so the
            // read stops there.
            var maxLines = MaxLines(config);
            // The hold: a pledge reaches the charity only once the shopper has had the time to ask for a refund, so most
            // refunds are settled before the money leaves rather than owed back by the charity afterwards.
            var held = now.AddDays(-RemittanceHold.Days(config));
            var before = cutoff < held ? cutoff : held;
            var owed = await db.Purchases.AsNoTracking()
                .Where(p => p.CharityId == charity.Id && p.Currency == request.Currency && Paid.Contains(p.Status)
                            && p.ConfirmedUtc < before && p.DonationTotal - p.Reversed - p.InBatches != 0)
                .OrderBy(p => p.CharityId)
                .Select(p => new { p.Id, p.InBatches, Owed = p.DonationTotal - p.Reversed - p.InBatches })
                .Take(maxLines + 1)
                .ToListAsync(ct);
            var moreOutstanding = owed.Count > maxLines;
            if (moreOutstanding) owed.RemoveAt(maxLines);

            // A pledge another instance's batch took since the read stays with that batch.
            var claims = await db.ClaimForBatchAsync(owed.Select(o => (o.Id, o.InBatches, o.InBatches + o.Owed)).ToList(), ct);
            var claimed = owed.Where((_, i) => claims[i] == 1).ToList();
            if (claimed.Count == 0)
                return Problems.Unprocessable("cutoffUtc",
                    $"Nothing is outstanding for '{request.Charity}' in '{request.Currency}' confirmed before the cutoff and {RemittanceHold.Days(config)} days ago (Remittances:HoldDays).");

            var batch = new Remittance
            {
                CharityId = charity.Id, Currency = request.Currency, CutoffUtc = cutoff, Status = RemittanceStatus.Draft, ClientId = user.ClientId(),
                CreatedUtc = now, Amount = claimed.Sum(o => o.Owed), Lines = claimed.Count,
            };
            await db.InsertAsync([batch, .. claimed.Select(o => new RemittanceLine { RemittanceId = batch.Id, PurchaseId = o.Id, Amount = o.Owed })], ct: ct);
            await AuditTrail.RecordAsync(db, AuditTrail.Actor(user), "remittance.created", $"remittance:{batch.Id}", new AuditChanges()
                .Set("charity", null, charity.Slug).Set("currency", null, batch.Currency).Set("cutoffUtc", null, cutoff)
                .Set("amount", null, batch.Amount).Set("lines", null, batch.Lines).Set("status", null, batch.Status), now, ct);
            await WebhookOutbox.RecordAsync(db, WebhookEventTypes.RemittanceCreated, batch.ToResponse(charity.Slug), now, ct);
            return TypedResults.Created($"/api/remittances/{batch.Id}", batch.ToResponse(charity.Slug) with { MoreOutstanding = moreOutstanding });
        });

    /// <summary><c>Remittances:MaxLines</c>, the most pledges one batch gathers (at least 1).</summary>
    private static int MaxLines(IConfiguration config) => Math.Max(1, config.GetValue("Remittances:MaxLines", 5_000));

    private static Task<IResult> MarkRemittancePaid(
        Guid id, RemittancePaidRequest request, ClaimsPrincipal user, HttpContext http, Writes writes, TimeProvider clock, CancellationToken ct) =>
        writes.RunAsync(http, async db =>
        {
            var batch = await db.Remittances.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct);
            if (batch is null) return Problems.NotFound($"No remittance '{id}'.");
            if (batch.Status != RemittanceStatus.Draft) return AlreadyPaid();
            if (batch.TransferStartedUtc is not null) return TransferStarted();
            var now = clock.GetUtcNow().UtcDateTime;
            if (!await RecordPaidAsync(db, AuditTrail.Actor(user), id, request.Reference, transferId: null, now, ct)) return AlreadyPaid();
            batch.Status = RemittanceStatus.Paid;
            batch.Reference = request.Reference;
            batch.PaidUtc = now;
            return TypedResults.Ok(batch.ToResponse(await SlugAsync(db, batch.CharityId, ct)));
        });

    public static ProblemHttpResult AlreadyPaid() => Problems.Conflict("status", "This batch was already paid.");

    private static ProblemHttpResult TransferStarted() => Problems.Conflict("status",
        "A Stripe transfer of this batch was started: finish it with POST /api/remittances/{id}/transfer, which never makes a second one.");

    /// <summary>
    /// Marks a draft batch paid, posts its ledger rows and records who did, inside the write transaction; false when it was
    /// not a draft. Marked paid only while still a draft: of two instances paying it at once, one posts its ledger rows, one gets false.
    /// </summary>
    public static async Task<bool> RecordPaidAsync(AppDb db, string actor, Guid id, string reference, string? transferId, DateTime now, CancellationToken ct)
    {
        if (!await db.MarkBatchPaidAsync(id, reference, transferId, now, ct)) return false;
        var lines = await db.RemittanceLines.Where(l => l.RemittanceId == id)
            .Join(db.Purchases, l => l.PurchaseId, p => p.Id, (l, p) => new { l.Amount, Purchase = p })
            .AsNoTracking().ToListAsync(ct);
        await LedgerWriter.PostRemittedAsync(db, lines.Select(l => LedgerWriter.Remittance(l.Purchase, l.Amount, id, reference, now)).ToList(), ct);
        await AuditTrail.RecordAsync(db, actor, "remittance.paid", $"remittance:{id}", new AuditChanges()
            .Set("status", RemittanceStatus.Draft, RemittanceStatus.Paid).Set("reference", null, reference).Set("transferId", null, transferId)
            .Set("amount", null, lines.Sum(l => l.Amount)), now, ct);
        var paid = await db.Remittances.AsNoTracking().SingleAsync(r => r.Id == id, ct);
        await WebhookOutbox.RecordAsync(db, WebhookEventTypes.RemittancePaid, paid.ToResponse(await SlugAsync(db, paid.CharityId, ct)), now, ct);
        return true;
    }

    private static Task<IResult> DeleteRemittance(
        Guid id, ClaimsPrincipal user, HttpContext http, Writes writes, TimeProvider clock, CancellationToken ct) =>
        writes.RunAsync(http, async db =>
        {
            var batch = await db.Remittances.AsNoTracking().Where(r => r.Id == id).Select(r => new { r.Status, r.Amount, r.Lines }).SingleOrDefaultAsync(ct);
            if (batch is null) return Problems.NotFound($"No remittance '{id}'.");
            var paid = Problems.Conflict("status", "A paid batch cannot be deleted; later reversals carry forward into the next batch.");
            if (batch.Status != RemittanceStatus.Draft) return paid;
            if (await db.Remittances.AnyAsync(r => r.Id == id && r.TransferStartedUtc != null, ct)) return TransferStarted();

            if (!await db.DeleteDraftBatchAsync(id, ct)) return paid; // paid (or its transfer started) meanwhile
            await AuditTrail.RecordAsync(db, AuditTrail.Actor(user), "remittance.deleted", $"remittance:{id}", new AuditChanges()
                .Set("status", RemittanceStatus.Draft, null).Set("amount", batch.Amount, null).Set("lines", batch.Lines, null), clock.GetUtcNow().UtcDateTime, ct);
            return TypedResults.NoContent();
        });

    private static async Task<Results<Ok<RemittanceResponse>, ProblemHttpResult>> GetRemittance(Guid id, AppDb db, CancellationToken ct)
    {
        var batch = await db.Remittances.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct);
        return batch is null ? Problems.NotFound($"No remittance '{id}'.") : TypedResults.Ok(batch.ToResponse(await SlugAsync(db, batch.CharityId, ct)));
    }

    private static async Task<Ok<List<RemittanceResponse>>> ListRemittances(string? charity, AppDb db, CancellationToken ct)
    {
        var query = db.Remittances.AsNoTracking().Join(db.Charities, r => r.CharityId, c => c.Id, (r, c) => new { r, c.Slug });
        if (charity is not null) query = query.Where(x => x.Slug == charity);
        var batches = await query.OrderByDescending(x => x.r.CreatedUtc).Take(200).ToListAsync(ct);
        return TypedResults.Ok(batches.Select(x => x.r.ToResponse(x.Slug)).ToList());
    }

    private static async Task<Results<Ok<StatementResponse>, PushStreamHttpResult, ProblemHttpResult, ValidationProblem>> GetRemittanceStatement(
        Guid id, [AllowedValues("json", "csv")] string? format, AppDb db, CancellationToken ct)
    {
        if (format is not (null or "json" or "csv")) return Problems.Invalid("format", "'format' must be 'csv' or 'json'.");
        var batch = await db.Remittances.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct);
        if (batch is null) return Problems.NotFound($"No remittance '{id}'.");
        var charity = await db.Charities.AsNoTracking().SingleAsync(c => c.Id == batch.CharityId, ct);

        var rows = await db.RemittanceLines.AsNoTracking().Where(l => l.RemittanceId == id)
            .Join(db.Purchases, l => l.PurchaseId, p => p.Id, (l, p) => new { l.Amount, l.Reopened, p.ReceiptCode, p.ConfirmedUtc, p.CampaignId, p.Id })
            .Join(db.Campaigns, x => x.CampaignId, c => c.Id, (x, c) => new { x.Amount, x.Reopened, x.ReceiptCode, x.ConfirmedUtc, x.Id, Campaign = c.Slug })
            .OrderBy(x => x.Id).ToListAsync(ct);
        var lines = rows.Select(r => new StatementLine(r.ReceiptCode, PledgeReport.Iso(r.ConfirmedUtc ?? batch.CreatedUtc), r.Campaign, batch.Currency,
            r.Amount, Currencies.ToMajorString(r.Amount, batch.Currency), r.Reopened, Currencies.ToMajorString(r.Reopened, batch.Currency))).ToList();

        if (format == "csv")
        {
            return TypedResults.Stream(output => CsvExport.WriteAsync(lines.ToAsyncEnumerable(), output, ct), "text/csv; charset=utf-8",
                $"statement_{charity.Slug}_{batch.CutoffUtc:yyyyMMdd}_{batch.Id.ToString()[..8]}.csv");
        }
        return TypedResults.Ok(new StatementResponse(batch.ToResponse(charity.Slug), new CharityRefResponse(charity.Slug, charity.Name), lines));
    }

    public static Task<string> SlugAsync(AppDb db, Guid charityId, CancellationToken ct) =>
        db.Charities.Where(c => c.Id == charityId).Select(c => c.Slug).SingleAsync(ct);

    public static RemittanceResponse ToResponse(this Remittance r, string charity) => new(
        r.Id, charity, r.Currency, Currencies.Exponent(r.Currency), DateTime.SpecifyKind(r.CutoffUtc, DateTimeKind.Utc), r.Status,
        r.Amount, Currencies.ToMajorString(r.Amount, r.Currency), r.Lines, r.Reference,
        DateTime.SpecifyKind(r.CreatedUtc, DateTimeKind.Utc), Utc(r.PaidUtc), r.TransferId, Utc(r.TransferStartedUtc), r.TransferReversed);

    private static DateTime? Utc(DateTime? at) => at is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : null;
}
