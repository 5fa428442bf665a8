using CharityPromo.Api.Access;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CharityPromo.Api.Ledger;

internal static class AdminEndpoints
{
    public static void MapAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin").WithTags("Admin").RequireAuthorization(Scopes.Admin);
        group.MapGet("/invariants", CheckInvariants).WithName(nameof(CheckInvariants))
            .WithSummary("Recompute every total from the ledger and compare (admin)")
            .WithDescription("`ok` is true when every totals row, daily row and purchase agrees with the ledger; otherwise `mismatches` lists each difference. Reads the whole ledger: run it off-peak on large databases.");
        group.MapGet("/writer", (WriterStats stats) => TypedResults.Ok(stats.Report())).WithName("WriterStats")
            .WithSummary("How busy this instance's single writer has been since it started (admin)")
            .WithDescription("Every write of an instance runs on its one writer, in batches of one transaction each. Counts since the instance started: batches, writes, seconds busy running batches and, of those, seconds committing. Take two readings a known time apart: the growth of `busySeconds` over that of `uptimeSeconds` is the share of the time the writer was busy — near 1, the instance takes no more writes however many cores are idle. Also published on the `CharityPromo.Api` meter for dotnet-counters.");
    }

    private static async Task<Ok<InvariantReport>> CheckInvariants(AppDb db, TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok(await InvariantCheck.RunAsync(db, clock.GetUtcNow().UtcDateTime, ct));
}
