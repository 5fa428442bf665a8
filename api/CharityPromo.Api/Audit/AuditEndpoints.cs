using System.ComponentModel.DataAnnotations;
using CharityPromo.Api.Access;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Reports;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Audit;

public sealed record AuditEntryResponse(long Id, DateTime AtUtc, string Actor, string Kind, string Subject, IReadOnlyDictionary<string, AuditChange> Changes);

/// <summary>A page of the trail, oldest first; <c>next</c> is the <c>after</c> for the next page, null on the last.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntryResponse> Items, long? Next);

/// <summary>One CSV row per changed field (an entry without fields has one row with none), so a spreadsheet can filter by field.</summary>
public sealed record AuditCsvRow(long Id, string AtUtc, string Actor, string Kind, string Subject, string? Field, string? Before, string? After);

internal static class AuditEndpoints
{
    private const int MaxPage = 500;

    public static void MapAudit(this IEndpointRouteBuilder routes)
    {
        // Reads only: nothing in the API changes or deletes an entry.
        var group = routes.MapGroup("/api/admin").WithTags("Admin").RequireAuthorization(Scopes.Admin);
        group.MapGet("/audit", GetAudit).WithName(nameof(GetAudit))
            .WithSummary("The audit trail: every admin and finance change, and every money action Stripe reported (admin)")
            .WithDescription("""
                Oldest first, keyset paged: pass the page's `next` as `after` for the next one. `kind` is one kind
                (`remittance.paid`) or a noun for all of its kinds (`remittance`); `from` and `to` bound the entry's time.
                Each entry names who (the API key, `stripe`, or `cli (user)`), when, what (`subject`) and, for each field
                it changed, the value before and after. Append-only: no endpoint changes or deletes an entry.
                """)
            .ProducesValidationProblem();
        group.MapGet("/audit/verify", VerifyAudit).WithName(nameof(VerifyAudit))
            .WithSummary("Check the audit trail's hash chain: was any entry changed, removed or inserted? (admin)")
            .WithDescription("""
                Each entry carries SHA-256 of the previous entry's hash and its own content. `ok` is false, with the first
                broken entry in `brokenAt`, when an entry was changed, removed or inserted by anything but the API. The hash
                has no key, so keep `head` elsewhere now and then and pass it back as `?head=`: `ok` is then false unless the
                chain still passes through that entry, which shows a chain rewritten and hashed again, or cut off.
                Entries written before the chain began are counted in `unchained`, not checked. Reads the whole trail.
                """);
        group.MapGet("/audit.csv", ExportAudit).WithName(nameof(ExportAudit))
            .WithSummary("The audit trail as CSV, one row per changed field (admin)")
            .WithDescription("Every entry matching `kind`, `from` and `to`, oldest first, streamed.")
            .ProducesCsv().ProducesValidationProblem();
    }

    private static async Task<Results<Ok<AuditPage>, ValidationProblem>> GetAudit(
        AppDb db, string? kind, DateTimeOffset? from, DateTimeOffset? to, long? after, [Range(1, MaxPage)] int? limit, CancellationToken ct)
    {
        var errors = Errors(kind, from, to);
        if (limit is < 1 or > MaxPage) errors["limit"] = [$"'limit' must be from 1 to {MaxPage}."];
        if (errors.Count > 0) return Problems.Invalid(errors);

        var size = limit ?? 100;
        var page = await Query(db, kind, from, to, after).Take(size + 1).ToListAsync(ct);
        var items = page.Take(size).Select(e => new AuditEntryResponse(e.Id, DateTime.SpecifyKind(e.AtUtc, DateTimeKind.Utc), e.Actor, e.Kind, e.Subject,
            AuditChanges.FromJson(e.Changes))).ToList();
        return TypedResults.Ok(new AuditPage(items, page.Count > size ? items[^1].Id : null));
    }

    /// <param name="head">A head an earlier check answered, kept elsewhere: the chain must still pass through it.</param>
    private static async Task<Ok<AuditVerification>> VerifyAudit(AppDb db, [StringLength(64)] string? head, CancellationToken ct) =>
        TypedResults.Ok(await AuditChain.VerifyAsync(db, ct, head));

    private static Results<PushStreamHttpResult, ValidationProblem> ExportAudit(
        AppDb db, string? kind, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        if (Errors(kind, from, to) is { Count: > 0 } errors) return Problems.Invalid(errors);
        var rows = Query(db, kind, from, to, after: null).AsAsyncEnumerable().SelectMany(ToRows);
        return TypedResults.Stream(output => CsvExport.WriteAsync(rows, output, ct), "text/csv; charset=utf-8",
            $"audit_{kind ?? "all"}_{from?.UtcDateTime.ToString("yyyyMMdd") ?? "start"}-{to?.UtcDateTime.ToString("yyyyMMdd") ?? "now"}.csv");
    }

    private static Dictionary<string, string[]> Errors(string? kind, DateTimeOffset? from, DateTimeOffset? to)
    {
        var errors = ReportPeriod.Errors(from, to);
        if (kind is not null && (kind.Length is 0 or > 64 || !kind.All(c => c is >= 'a' and <= 'z' or '_' or '.')))
            errors["kind"] = ["'kind' must be an entry kind like 'remittance.paid', or a noun like 'remittance'."];
        return errors;
    }

    /// <summary>In id order, the order they were written (<see cref="AuditEntry.Id"/>), after the cursor.</summary>
    private static IQueryable<AuditEntry> Query(AppDb db, string? kind, DateTimeOffset? from, DateTimeOffset? to, long? after)
    {
        var entries = db.AuditEntries.AsNoTracking();
        if (kind is not null)
        {
            var prefix = kind + ".";
            entries = entries.Where(e => e.Kind == kind || e.Kind.StartsWith(prefix));
        }
        if (from is { } start) entries = entries.Where(e => e.AtUtc >= start.UtcDateTime);
        if (to is { } end) entries = entries.Where(e => e.AtUtc < end.UtcDateTime);
        if (after is { } cursor) entries = entries.Where(e => e.Id > cursor);
        return entries.OrderBy(e => e.Id);
    }

    private static IEnumerable<AuditCsvRow> ToRows(AuditEntry entry)
    {
        var at = PledgeReport.Iso(entry.AtUtc);
        var changes = AuditChanges.FromJson(entry.Changes);
        if (changes.Count == 0) yield return new AuditCsvRow(entry.Id, at, entry.Actor, entry.Kind, entry.Subject, null, null, null);
        foreach (var (field, change) in changes)
            yield return new AuditCsvRow(entry.Id, at, entry.Actor, entry.Kind, entry.Subject, field, change.Before, change.After);
    }
}
