using System.Security.Claims;
using CharityPromo.Api.Access;
using CharityPromo.Api.Audit;
using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stripe;

namespace CharityPromo.Api.Payments;

/// <param name="ReturnUrl">Where Stripe sends the charity when it has finished the form (absolute http(s) URL).</param>
/// <param name="RefreshUrl">Where Stripe sends the charity when the link has expired or was used: ask for a new link there.</param>
/// <param name="Country">ISO 3166-1 alpha-2 country of the charity ("US", "GB"); Stripe's default is the platform's. Used only when the account is created.</param>
/// <param name="Email">The charity's email for Stripe, prefilled on the form. Used only when the account is created.</param>
public sealed record OnboardingRequest(string ReturnUrl, string RefreshUrl, string? Country, string? Email);

/// <param name="Url">Stripe's onboarding form for the charity: single use, valid until <paramref name="ExpiresUtc"/>.</param>
/// <param name="CanReceiveTransfers">Stripe says the account's transfers capability is active.</param>
public sealed record OnboardingResponse(string Charity, string StripeAccountId, string Url, DateTime ExpiresUtc, bool CanReceiveTransfers, bool PayoutsEnabled);

internal sealed class OnboardingRequestValidator : AbstractValidator<OnboardingRequest>
{
    public OnboardingRequestValidator()
    {
        RuleFor(r => r.ReturnUrl).NotEmpty().MaximumLength(Limits.Url).Must(Urls.IsHttp).WithMessage("'returnUrl' must be an absolute http or https URL.");
        RuleFor(r => r.RefreshUrl).NotEmpty().MaximumLength(Limits.Url).Must(Urls.IsHttp).WithMessage("'refreshUrl' must be an absolute http or https URL.");
        RuleFor(r => r.Country).Matches(@"^[A-Z]{2}\z").WithMessage("'country' must be an ISO 3166-1 alpha-2 code in capitals, like 'US'.");
        RuleFor(r => r.Email).MaximumLength(Limits.Name).EmailAddress();
    }
}

/// <summary>
/// A charity gets a Stripe connected account to be paid by transfer. The account is created once, under the key
/// <c>charity:{id}:stripe_account</c>, and recorded; each call answers a fresh Account Link, Stripe's hosted form
/// where the charity gives its details. Whether it can receive transfers follows Stripe's <c>account.updated</c>.
/// </summary>
internal static class CharityOnboarding
{
    public static void MapCharityOnboarding(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/charities").WithTags("Charities").WithIdempotencyKeys()
            .MapPost("/{slug}/stripe/onboarding", StartCharityOnboarding).WithName(nameof(StartCharityOnboarding))
            .WithSummary("Start or continue a charity's Stripe Connect onboarding (admin)")
            .WithDescription("""
                Creates the charity's Stripe connected account if it has none (with the transfers capability requested),
                then answers a single-use Account Link URL to send the charity to. Call it again for a new link when one
                expires. The charity can receive transfers once Stripe's `account.updated` says its transfers capability is
                active: `GET /api/charities/{slug}` with an admin key shows `stripe.canReceiveTransfers`.
                """)
            .RequireAuthorization(Scopes.Admin).Validate<OnboardingRequest>()
            .Produces<OnboardingResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status502BadGateway).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<IResult> StartCharityOnboarding(string slug, OnboardingRequest request, ClaimsPrincipal user, AppDb db, Writes writes,
        StripeClient stripe, IOptions<StripeOptions> options, ReturnOrigins returns, TimeProvider clock, CancellationToken ct)
    {
        if ((returns.RefuseForConnect("returnUrl", request.ReturnUrl) ?? returns.RefuseForConnect("refreshUrl", request.RefreshUrl)) is { } refused) return refused;
        if (!options.Value.IsConfigured)
            return Problems.Unprocessable("charity", "Stripe is not configured on this server: pay this charity's batches by bank (POST /api/remittances/{id}/paid).");
        var charity = await db.Charities.AsNoTracking().SingleOrDefaultAsync(c => c.Slug == slug, ct);
        if (charity is null) return Problems.NotFound($"No charity '{slug}'.");

        try
        {
            var accountId = charity.StripeAccountId;
            if (accountId is null)
            {
                // Stripe answers a retry within 24 hours with the same account, so a crash before it is recorded makes no second one.
                var account = await stripe.V1.Accounts.CreateAsync(new AccountCreateOptions
                {
                    Country = request.Country,
                    Email = request.Email,
                    Controller = new AccountControllerOptions
                    {
                        StripeDashboard = new AccountControllerStripeDashboardOptions { Type = "express" },
                        Fees = new AccountControllerFeesOptions { Payer = "application" },
                        Losses = new AccountControllerLossesOptions { Payments = "application" },
                        RequirementCollection = "stripe",
                    },
                    Capabilities = new AccountCapabilitiesOptions { Transfers = new AccountCapabilitiesTransfersOptions { Requested = true } },
                    Metadata = new() { ["charity_id"] = charity.Id.ToString(), ["charity"] = charity.Slug },
                }, new RequestOptions { IdempotencyKey = $"charity:{charity.Id}:stripe_account" }, ct);
                var id = charity.Id;
                await writes.RunAsync(async batchDb =>
                {
                    if (await batchDb.Charities.Where(c => c.Id == id && c.StripeAccountId == null)
                            .ExecuteUpdateAsync(s => s.SetProperty(c => c.StripeAccountId, account.Id), ct) == 1)
                        await AuditTrail.RecordAsync(batchDb, AuditTrail.Actor(user), "charity.stripe_account_created", $"charity:{charity.Slug}",
                            new AuditChanges().Set("stripeAccountId", null, account.Id), clock.GetUtcNow().UtcDateTime, ct);
                });
                accountId = await db.Charities.Where(c => c.Id == id).Select(c => c.StripeAccountId).SingleAsync(ct);
            }
            var link = await stripe.V1.AccountLinks.CreateAsync(new AccountLinkCreateOptions
            {
                Account = accountId, ReturnUrl = request.ReturnUrl, RefreshUrl = request.RefreshUrl, Type = "account_onboarding",
            }, cancellationToken: ct);
            return TypedResults.Ok(new OnboardingResponse(charity.Slug, accountId!, link.Url, DateTime.SpecifyKind(link.ExpiresAt, DateTimeKind.Utc),
                charity.StripeTransfersEnabled, charity.StripePayoutsEnabled));
        }
        catch (Exception ex) when (StripeProblems.IsStripeFailure(ex, ct))
        {
            return StripeProblems.From(ex, "charity");
        }
    }

    /// <summary>Brings a charity up to its account as Stripe has it now; the outcome for the event log.</summary>
    public static async Task<string> ApplyAccountAsync(AppDb db, Account account, DateTime now, CancellationToken ct)
    {
        var charity = await db.Charities.SingleOrDefaultAsync(c => c.StripeAccountId == account.Id, ct);
        if (charity is null) return $"no charity for account {account.Id}";
        charity.StripeTransfersEnabled = account.Capabilities?.Transfers == "active";
        charity.StripePayoutsEnabled = account.PayoutsEnabled;
        if (AuditChanges.Of(db.Entry(charity)) is { Count: > 0 } changes)
            await AuditTrail.RecordAsync(db, AuditTrail.Stripe, "charity.stripe_account_updated", $"charity:{charity.Slug}", changes, now, ct);
        return $"charity {charity.Slug} {(charity.StripeTransfersEnabled ? "can" : "cannot")} receive transfers";
    }
}
