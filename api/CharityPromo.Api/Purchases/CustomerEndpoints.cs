using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using CharityPromo.Api.Access;
using CharityPromo.Api.Audit;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Purchases;

/// <param name="PurchasesUnlinked">Purchases that carried the customer's reference and no longer do (0 when forgotten before).</param>
public sealed record ForgetCustomerResponse(int PurchasesUnlinked);

internal static class CustomerEndpoints
{
    public static void MapCustomers(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/customers").WithTags("Customers").RequireAuthorization(Scopes.Admin).WithIdempotencyKeys()
            .MapDelete("/{customerRef}", ForgetCustomer).WithName(nameof(ForgetCustomer))
            .Produces<ForgetCustomerResponse>().ProducesValidationProblem()
            .WithSummary("Forget a shopper: unlink every purchase from their customer reference (admin)")
            .WithDescription("""
                The purchases stay, with their amounts, pledges, refunds and receipt codes, so every report and total stays
                exact; what goes is the only link to the shopper, the keyed hash of their reference. Their next purchase
                starts a fresh loyalty history. Forgetting again (or a reference never seen) answers 200 with
                `purchasesUnlinked: 0`.
                """);
    }

    private static async Task<IResult> ForgetCustomer([StringLength(Limits.Reference, MinimumLength = 1)] string customerRef, ClaimsPrincipal user, HttpContext http, Writes writes,
        CustomerRefHasher hasher, TimeProvider clock, ILogger<ForgetCustomerResponse> logger, CancellationToken ct)
    {
        if (customerRef.Trim().Length is 0 or > Limits.Reference)
            return Problems.Invalid("customerRef", $"'customerRef' must be the checkout's customer reference: 1 to {Limits.Reference} characters of plain text.");
        return await writes.RunAsync(http, async db =>
        {
            var hash = hasher.Hash(customerRef);
            var unlinked = await db.UnlinkCustomerAsync(hash, ct);
            logger.LogInformation("A customer was forgotten: {Purchases} purchase(s) unlinked", unlinked); // never the reference
            // On record without the reference or its hash: either would keep the very link that was just removed.
            await AuditTrail.RecordAsync(db, AuditTrail.Actor(user), "customer.forgotten", "customer", new AuditChanges().Set("purchasesUnlinked", null, unlinked),
                clock.GetUtcNow().UtcDateTime, ct);
            return TypedResults.Ok(new ForgetCustomerResponse(unlinked));
        });
    }
}
