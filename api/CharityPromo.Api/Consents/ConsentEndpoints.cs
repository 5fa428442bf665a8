using System.Security.Claims;
using CharityPromo.Api.Access;
using CharityPromo.Api.Audit;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Consents;

internal static class ConsentEndpoints
{
    public static void MapConsents(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/charities/{slug}/consents").WithTags("Charities").RequireAuthorization(Scopes.Admin).WithIdempotencyKeys();

        group.MapPost("/", GrantConsent).WithName(nameof(GrantConsent))
            .WithSummary("Record a charity's consent to promotions in its name (admin)")
            .WithDescription("""
                Quotes and purchases for a campaign answer 422 `urn:charitypromo:problem:charity-consent-missing` unless a consent
                of the charity covers that moment: `grantedUtc` ≤ now < `expiresUtc`, not withdrawn, and naming the campaign
                (or naming none, which covers all). The site shows no campaign in the name of a charity without one.
                """)
            .Produces<ConsentResponse>(StatusCodes.Status201Created).Validate<ConsentRequest>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/", ListConsents).WithName(nameof(ListConsents))
            .WithSummary("A charity's consents, withdrawn and expired ones included, newest first (admin)").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:guid}", GetConsent).WithName(nameof(GetConsent)).WithSummary("One consent of a charity (admin)").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id:guid}", WithdrawConsent).WithName(nameof(WithdrawConsent))
            .WithSummary("Withdraw a consent (admin)")
            .WithDescription("It covers nothing from now on and stays on record with its `withdrawnUtc`. Withdrawing it again changes nothing and answers the same.")
            .Produces<ConsentResponse>().ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static Task<IResult> GrantConsent(
        string slug, ConsentRequest request, ClaimsPrincipal user, HttpContext http, Writes writes, TimeProvider clock, CancellationToken ct) =>
        writes.RunAsync(http, async db =>
        {
            var charity = await db.Charities.SingleOrDefaultAsync(c => c.Slug == slug, ct);
            if (charity is null) return Problems.NotFound($"No charity '{slug}'.");
            var now = clock.GetUtcNow().UtcDateTime;
            var consent = new CharityConsent
            {
                CharityId = charity.Id, GrantedBy = request.GrantedBy.Trim(), GrantedUtc = request.GrantedUtc!.Value.UtcDateTime,
                Document = request.Document.Trim(), AllCampaigns = request.Campaigns is null, ExpiresUtc = request.ExpiresUtc?.UtcDateTime, CreatedUtc = now,
            };
            if (request.Campaigns is { } slugs)
            {
                var found = await db.Campaigns.Where(c => slugs.Contains(c.Slug)).ToDictionaryAsync(c => c.Slug, c => c.Id, ct);
                for (var i = 0; i < slugs.Length; i++)
                {
                    if (!found.TryGetValue(slugs[i], out var campaignId))
                        return Problems.Invalid($"campaigns[{i}]", $"No campaign '{slugs[i]}'.");
                    consent.Campaigns.Add(new CharityConsentCampaign { ConsentId = consent.Id, CampaignId = campaignId });
                }
            }
            db.CharityConsents.Add(consent);
            var changes = AuditChanges.Of(db.Entry(consent)).Set("campaigns", null, request.Campaigns is null ? "all" : string.Join(',', request.Campaigns));
            await db.SaveChangesAsync(ct);
            await AuditTrail.RecordAsync(db, AuditTrail.Actor(user), "consent.granted", $"charity:{slug}", changes.Set("id", null, consent.Id), now, ct);
            return TypedResults.Created($"/api/charities/{slug}/consents/{consent.Id}", ToResponse(consent, slug, request.Campaigns));
        });

    private static async Task<Results<Ok<List<ConsentResponse>>, ProblemHttpResult>> ListConsents(string slug, AppDb db, CancellationToken ct)
    {
        var charityId = await db.Charities.Where(c => c.Slug == slug).Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct);
        if (charityId is null) return Problems.NotFound($"No charity '{slug}'.");
        var consents = await ReadAsync(db, slug, db.CharityConsents.Where(k => k.CharityId == charityId), ct);
        return TypedResults.Ok(consents);
    }

    private static async Task<Results<Ok<ConsentResponse>, ProblemHttpResult>> GetConsent(string slug, Guid id, AppDb db, CancellationToken ct)
    {
        var found = await ReadAsync(db, slug, db.CharityConsents.Where(k => k.Id == id && db.Charities.Any(c => c.Id == k.CharityId && c.Slug == slug)), ct);
        return found.Count == 1 ? TypedResults.Ok(found[0]) : Problems.NotFound($"No consent '{id}' of charity '{slug}'.");
    }

    private static Task<IResult> WithdrawConsent(
        string slug, Guid id, ClaimsPrincipal user, HttpContext http, Writes writes, TimeProvider clock, CancellationToken ct) =>
        writes.RunAsync(http, async db =>
        {
            var consent = await db.CharityConsents
                .SingleOrDefaultAsync(k => k.Id == id && db.Charities.Any(c => c.Id == k.CharityId && c.Slug == slug), ct);
            if (consent is null) return Problems.NotFound($"No consent '{id}' of charity '{slug}'.");
            var now = clock.GetUtcNow().UtcDateTime;
            if (consent.WithdrawnUtc is null)
            {
                consent.WithdrawnUtc = now;
                var changes = AuditChanges.Of(db.Entry(consent)).Set("id", null, consent.Id);
                await db.SaveChangesAsync(ct);
                await AuditTrail.RecordAsync(db, AuditTrail.Actor(user), "consent.withdrawn", $"charity:{slug}", changes, now, ct);
            }
            return TypedResults.Ok((await ReadAsync(db, slug, db.CharityConsents.Where(k => k.Id == id), ct))[0]);
        });

    private static async Task<List<ConsentResponse>> ReadAsync(AppDb db, string slug, IQueryable<CharityConsent> consents, CancellationToken ct)
    {
        var rows = await consents.AsNoTracking().OrderByDescending(k => k.CreatedUtc).ThenByDescending(k => k.Id)
            .Select(k => new { Consent = k, Campaigns = k.Campaigns.Join(db.Campaigns, x => x.CampaignId, c => c.Id, (x, c) => c.Slug).ToList() })
            .ToListAsync(ct);
        return rows.Select(r => ToResponse(r.Consent, slug, r.Consent.AllCampaigns ? null : r.Campaigns.Order(StringComparer.Ordinal).ToList())).ToList();
    }

    private static ConsentResponse ToResponse(CharityConsent k, string charity, IReadOnlyList<string>? campaigns) => new(
        k.Id, charity, k.GrantedBy, Utc(k.GrantedUtc), k.Document, campaigns, k.ExpiresUtc is { } e ? Utc(e) : null,
        k.WithdrawnUtc is { } w ? Utc(w) : null, Utc(k.CreatedUtc));

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
