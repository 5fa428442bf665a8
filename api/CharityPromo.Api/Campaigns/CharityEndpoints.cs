using System.Security.Claims;
using CharityPromo.Api.Access;
using CharityPromo.Api.Audit;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Campaigns;

internal static class CharityEndpoints
{
    public static void MapCharities(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/charities").WithTags("Charities").WithIdempotencyKeys();

        group.MapGet("/", ListCharities).WithName(nameof(ListCharities))
            .WithSummary("List charities").AllowAnonymous().CachePublicly();
        group.MapGet("/{slug}", GetCharity).WithName(nameof(GetCharity))
            .WithSummary("Get a charity and what each campaign has raised for it")
            .WithDescription("With an admin key, also its Stripe connected account and whether it can receive transfers; anonymous callers never see them.")
            .AllowAnonymous().AcceptsOptionalKey().CachePublicly()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateCharity).WithName(nameof(CreateCharity))
            .WithSummary("Create a charity (admin)").RequireAuthorization(Scopes.Admin).Produces<CharityResponse>(StatusCodes.Status201Created).Validate<CharityRequest>()
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPut("/{slug}", UpdateCharity).WithName(nameof(UpdateCharity))
            .WithSummary("Update a charity (admin); the slug cannot change").RequireAuthorization(Scopes.Admin).Produces<CharityResponse>().Validate<CharityRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<Ok<List<CharityResponse>>> ListCharities(AppDb db, CancellationToken ct) =>
        TypedResults.Ok(await db.Charities.AsNoTracking().OrderBy(c => c.Name)
            .Select(c => new CharityResponse(c.Slug, c.Name, c.Description, c.Website, c.RegistrationNumber, null))
            .ToListAsync(ct));

    private static async Task<Results<Ok<CharityResponse>, ProblemHttpResult>> GetCharity(string slug, ClaimsPrincipal user, AppDb db, CancellationToken ct)
    {
        var charity = await db.Charities.AsNoTracking().SingleOrDefaultAsync(c => c.Slug == slug, ct);
        if (charity is null) return Problems.NotFound($"No charity '{slug}'.");

        var campaigns = await db.CampaignTotals.AsNoTracking()
            .Where(t => t.CharityId == charity.Id)
            .Join(db.Campaigns, t => t.CampaignId, c => c.Id, (t, c) => new { c.Slug, c.Name, c.StartsUtc, t.Currency, t.Confirmed, t.Reversed, t.Pending, t.Purchases })
            .OrderByDescending(x => x.StartsUtc)
            .Select(x => new CharityCampaignResponse(x.Slug, x.Name, x.Currency, x.Confirmed - x.Reversed, x.Pending, x.Purchases))
            .ToListAsync(ct);
        var response = charity.ToResponse() with { Campaigns = campaigns };
        // The output cache never serves or stores a request that carries credentials, so these stay out of public answers.
        if (user.HasClaim(Scopes.ClaimType, Scopes.Admin))
            response = response with
            {
                StripeAccountId = charity.StripeAccountId, CanReceiveTransfers = charity.StripeTransfersEnabled, PayoutsEnabled = charity.StripePayoutsEnabled,
            };
        return TypedResults.Ok(response);
    }

    private static Task<IResult> CreateCharity(
        CharityRequest request, ClaimsPrincipal user, HttpContext http, Writes writes, TimeProvider clock, CancellationToken ct) =>
        writes.RunAsync(http, async db =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var charity = new Charity { Slug = request.Slug, Name = request.Name, CreatedUtc = now };
            request.ApplyTo(charity, now);
            db.Charities.Add(charity);
            var changes = AuditChanges.Of(db.Entry(charity));
            try
            {
                await db.SaveChangesGuardedAsync(ct);
            }
            catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
            {
                db.ChangeTracker.Clear();
                return Problems.Conflict("slug", $"A charity with slug '{request.Slug}' already exists.");
            }
            await AuditTrail.RecordAsync(db, AuditTrail.Actor(user), "charity.created", $"charity:{charity.Slug}", changes, now, ct);
            return TypedResults.Created($"/api/charities/{charity.Slug}", charity.ToResponse());
        });

    private static Task<IResult> UpdateCharity(
        string slug, CharityRequest request, ClaimsPrincipal user, HttpContext http, Writes writes, TimeProvider clock, CancellationToken ct) =>
        writes.RunAsync(http, async db =>
        {
            if (request.Slug != slug) return Problems.Unprocessable("slug", "A charity's slug cannot change; it is part of every link to it.");
            var charity = await db.Charities.SingleOrDefaultAsync(c => c.Slug == slug, ct);
            if (charity is null) return Problems.NotFound($"No charity '{slug}'.");
            var now = clock.GetUtcNow().UtcDateTime;
            request.ApplyTo(charity, now);
            var changes = AuditChanges.Of(db.Entry(charity));
            await db.SaveChangesAsync(ct);
            if (changes.Count > 0) await AuditTrail.RecordAsync(db, AuditTrail.Actor(user), "charity.updated", $"charity:{slug}", changes, now, ct);
            return TypedResults.Ok(charity.ToResponse());
        });

    private static void ApplyTo(this CharityRequest request, Charity charity, DateTime now)
    {
        charity.Name = request.Name.Trim();
        charity.Description = request.Description?.Trim() ?? "";
        charity.Website = string.IsNullOrWhiteSpace(request.Website) ? null : request.Website.Trim();
        charity.RegistrationNumber = string.IsNullOrWhiteSpace(request.RegistrationNumber) ? null : request.RegistrationNumber.Trim();
        charity.UpdatedUtc = now;
    }

    private static CharityResponse ToResponse(this Charity c) => new(c.Slug, c.Name, c.Description, c.Website, c.RegistrationNumber);
}
