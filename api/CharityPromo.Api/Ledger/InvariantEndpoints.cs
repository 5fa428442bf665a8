using CharityPromo.Api.Access;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CharityPromo.Api.Ledger;

internal static class InvariantEndpoints
{
    public static void MapInvariants(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin").WithTags("Admin").RequireAuthorization(Policies.Monitors);
        group.MapGet("/invariants", CheckInvariants).WithName(nameof(CheckInvariants))
            .WithSummary("Recompute every total from the ledger and compare (admin, monitor)")
            .WithDescription("`ok` is true when every totals row, daily row and purchase agrees with the ledger; otherwise `mismatches` lists each difference. Reads the whole ledger: run it off-peak on large databases.");
    }

    private static async Task<Ok<InvariantReport>> CheckInvariants(AppDb db, TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok(await InvariantCheck.RunAsync(db, clock.GetUtcNow().UtcDateTime, ct));
}
