using System.ComponentModel.DataAnnotations;
using CharityPromo.Api.Access;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Payments;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Purchases;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CharityPromo.Api.Reports;

internal static class ReportEndpoints
{
    public const int MaxPage = 5000;

    public static void MapReports(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/reports").WithTags("Reports").RequireAuthorization(Scopes.Finance).RequireRateLimiting(ReportLimits.Policy)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapGet("/pledges", ExportPledges).WithName(nameof(ExportPledges))
            .WithSummary("Pledges, one row per purchase, as CSV or JSON (finance)")
            .WithDescription($"""
                Filters: `from`/`to` (ISO 8601, on the purchase's creation time, `to` exclusive), `campaign`, `charity`
                (slugs), `status`, `currency`. `format=csv` (or `Accept: text/csv`) streams every matching row as an
                RFC 4180 UTF-8 file named after the filters; cells that a spreadsheet would run as formulas are
                prefixed with an apostrophe. `format=json` returns pages of up to `limit` rows (default 500, at most
                {MaxPage}) in a stable order; pass the answer's `next` as `after` for the following page.
                Amounts are minor units, with `amountMajor`, `totalMajor` and `netMajor` as decimal strings.
                `GET /api/reports/pledges.csv` is the same CSV as an operation of its own, for generated clients.
                """)
            .ProducesJsonOrCsv<PledgePage>();
        group.MapGet("/pledges.csv", (HttpContext http, ReportsDb reports, DateTimeOffset? from, DateTimeOffset? to, string? campaign, string? charity,
                string? status, string? currency, CancellationToken ct) => ExportPledges(http, reports, from, to, campaign, charity, status, currency, "csv", null, null, ct))
            .WithName("ExportPledgesCsv")
            .WithSummary("Pledges, one row per purchase, as a CSV file (finance)")
            .WithDescription("The CSV of `GET /api/reports/pledges?format=csv`, with the same filters: every matching row, streamed.")
            .ProducesCsv();
        group.MapGet("/summary", GetSummary).WithName(nameof(GetSummary))
            .WithSummary("Pledged, reversed, net, remitted and outstanding per charity × month × currency, and per campaign (finance)");
        group.MapGet("/reconciliation", GetReconciliation).WithName(nameof(GetReconciliation))
            .WithSummary("Our ledger vs Stripe vs remittances for purchases created in a period, with every mismatch and its cause (finance)")
            .WithDescription($"""
                `from`/`to` (ISO 8601, on the purchase's creation time, `to` exclusive; default the last 31 days; at most
                {ReportLimits.MaxReconciliationDays} days). Every purchase paid
                through Stripe in the period is re-read from Stripe (PaymentIntent and refunds), so keep periods to at most
                {Reconciliation.MaxStripePayments} Stripe payments. Per currency: pledged (with the shoppers' own donations),
                reversed, net, remitted, outstanding, what shoppers paid and were refunded per our records and per Stripe.
                `mismatches` lists each difference with a stable `cause`; `format=csv` downloads the mismatches.
                """)
            .ProducesJsonOrCsv<ReconciliationReport>().ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/liability", GetLiability).WithName(nameof(GetLiability))
            .WithSummary("Net pledges not yet remitted, per charity, aged 0–30, 31–60, 61–90 and 90+ days (finance)");
    }

    private static async Task<Results<PushStreamHttpResult, Ok<PledgePage>, ValidationProblem>> ExportPledges(
        HttpContext http, ReportsDb reports, DateTimeOffset? from, DateTimeOffset? to, string? campaign, string? charity,
        string? status, string? currency, [AllowedValues("json", "csv")] string? format, Guid? after, [Range(1, MaxPage)] int? limit, CancellationToken ct)
    {
        var db = reports.Db;
        var errors = ReportPeriod.Errors(from, to);
        PurchaseStatus? statusFilter = null;
        if (status is not null)
        {
            var match = Enum.GetValues<PurchaseStatus>().Where(s => PledgeReport.StatusName(s) == status).ToList();
            if (match.Count == 1) statusFilter = match[0];
            else errors["status"] = [$"'status' must be one of: {string.Join(", ", Enum.GetValues<PurchaseStatus>().Select(PledgeReport.StatusName))}."];
        }
        if (currency is not null && !Currencies.IsKnown(currency)) errors["currency"] = ["'currency' must be a lowercase ISO 4217 code, like 'usd'."];
        var csv = format switch
        {
            "csv" => true,
            "json" => false,
            null => http.Request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase),
            _ => (bool?)null,
        };
        if (csv is null) errors["format"] = ["'format' must be 'csv' or 'json'."];
        if (limit is < 1 or > MaxPage) errors["limit"] = [$"'limit' must be from 1 to {MaxPage}."];

        Guid? campaignId = null, charityId = null;
        if (campaign is not null && (campaignId = await db.Campaigns.Where(c => c.Slug == campaign).Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct)) is null)
            errors["campaign"] = [$"No campaign '{campaign}'."];
        if (charity is not null && (charityId = await db.Charities.Where(c => c.Slug == charity).Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct)) is null)
            errors["charity"] = [$"No charity '{charity}'."];
        if (errors.Count > 0) return Problems.Invalid(errors);

        var filter = new PledgeFilter(from?.UtcDateTime, to?.UtcDateTime, campaignId, charityId, statusFilter, currency);
        if (csv == true)
        {
            var name = $"pledges_{campaign ?? "all"}{(charity is null ? "" : "_" + charity)}_{from?.UtcDateTime.ToString("yyyyMMdd") ?? "start"}-{to?.UtcDateTime.ToString("yyyyMMdd") ?? "now"}.csv";
            return TypedResults.Stream(output => CsvExport.WriteAsync(PledgeReport.Query(db, filter).AsAsyncEnumerable().Select(r => r.ToRow()), output, ct),
                "text/csv; charset=utf-8", name);
        }

        var size = limit ?? 500;
        var page = await PledgeReport.Query(db, filter, after).Take(size + 1).ToListAsync(ct);
        var items = page.Take(size).Select(r => r.ToRow()).ToList();
        return TypedResults.Ok(new PledgePage(items, page.Count > size ? items[^1].PurchaseId : null));
    }

    private static async Task<Results<Ok<SummaryReport>, ValidationProblem>> GetSummary(
        ReportsDb reports, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        if (ReportPeriod.Check(from, to) is { } invalid) return invalid;
        return TypedResults.Ok(await SummaryReports.SummaryAsync(reports.Db, from?.UtcDateTime, to?.UtcDateTime, ct));
    }

    private static async Task<Results<Ok<ReconciliationReport>, PushStreamHttpResult, ValidationProblem, ProblemHttpResult>> GetReconciliation(
        ReportsDb reports, [FromKeyedServices(PaymentsSetup.Paced)] Stripe.StripeClient stripeClient, IOptions<StripeOptions> stripe, TimeProvider clock,
        DateTimeOffset? from, DateTimeOffset? to, [AllowedValues("json", "csv")] string? format, CancellationToken ct)
    {
        var db = reports.Db;
        if (ReportPeriod.Check(from, to) is { } invalid) return invalid;
        var until = to?.UtcDateTime ?? clock.GetUtcNow().UtcDateTime;
        var since = from?.UtcDateTime ?? until.AddDays(-31);
        if (since >= until) return Problems.Invalid("to", "'to' must be after 'from'.");
        if (until - since > TimeSpan.FromDays(ReportLimits.MaxReconciliationDays))
            return Problems.Invalid("from", $"A reconciliation covers at most {ReportLimits.MaxReconciliationDays} days: narrow 'from' and 'to'.");
        if (format is not (null or "json" or "csv")) return Problems.Invalid("format", "'format' must be 'csv' or 'json'.");
        var stripePayments = await Reconciliation.CountStripePaymentsAsync(db, since, until, ct);
        if (stripePayments > 0 && !stripe.Value.IsConfigured)
            return Problems.Unprocessable("from", "This period has Stripe payments but Stripe is not configured on this server, so they cannot be checked.");
        if (stripePayments > Reconciliation.MaxStripePayments)
            return Problems.Unprocessable("from", $"The period has {stripePayments} Stripe payments; at most {Reconciliation.MaxStripePayments} are checked at once. Narrow it.");

        var report = await Reconciliation.BuildAsync(db, stripeClient, since, until, ct);
        if (format != "csv") return TypedResults.Ok(report);
        return TypedResults.Stream(output => CsvExport.WriteAsync(report.Mismatches.ToAsyncEnumerable(), output, ct), "text/csv; charset=utf-8",
            $"reconciliation_{since:yyyyMMdd}-{until:yyyyMMdd}.csv");
    }

    private static async Task<Ok<LiabilityReport>> GetLiability(ReportsDb reports, TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok(await SummaryReports.LiabilityAsync(reports.Db, clock.GetUtcNow().UtcDateTime, ct));
}
