using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using CharityPromo.Api.Access;
using CharityPromo.Api.Audit;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using CharityPromo.Api.Ledger;
using CharityPromo.Api.Pledges;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CharityPromo.Api.Campaigns;

internal static class CampaignEndpoints
{
    public static void MapCampaigns(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/campaigns").WithTags("Campaigns").WithIdempotencyKeys();

        group.MapGet("/", ListCampaigns).WithName(nameof(ListCampaigns))
            .WithSummary("List campaigns with their totals")
            .WithDescription("Newest first. `status` filters to `upcoming`, `active` or `ended`.").AllowAnonymous().CachePublicly();
        group.MapGet("/{slug}", GetCampaign).WithName(nameof(GetCampaign))
            .WithSummary("Get a campaign with its totals, per charity and per day").AllowAnonymous().CachePublicly()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{slug}/pledges/recent", ListRecentPledges).WithName(nameof(ListRecentPledges))
            .WithSummary("The latest confirmed pledges of a campaign, anonymised")
            .WithDescription($"Newest first, at most {MaxRecent}: the donation, its charity and when it was confirmed. Nothing about the shopper or the order.")
            .AllowAnonymous().CachePublicly().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateCampaign).WithName(nameof(CreateCampaign))
            .WithSummary("Create a campaign (admin)").RequireAuthorization(Scopes.Admin).Produces<CampaignResponse>(StatusCodes.Status201Created).Validate<CampaignRequest>()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPut("/{slug}", UpdateCampaign).WithName(nameof(UpdateCampaign))
            .WithSummary("Update a campaign (admin)")
            .WithDescription("The slug cannot change, nor the currency once purchases exist. Charities removed keep their totals.")
            .RequireAuthorization(Scopes.Admin).Produces<CampaignResponse>().Validate<CampaignRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<Results<Ok<List<CampaignResponse>>, ValidationProblem>> ListCampaigns(
        [AllowedValues("upcoming", "active", "ended")] string? status, AppDb db, IOptions<ShopOptions> shop, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (status is not (null or "" or "active" or "upcoming" or "ended"))
            return Problems.Invalid("status", "'status' must be 'upcoming', 'active' or 'ended'.");
        var query = db.Campaigns.AsNoTracking().Include(c => c.Charities).ThenInclude(cc => cc.Charity).AsQueryable();
        query = status switch
        {
            // Campaign.PhaseAt's bounds, in a form the database can run.
            "active" => query.Where(c => c.StartsUtc <= now && c.EndsUtc > now),
            "upcoming" => query.Where(c => c.StartsUtc > now),
            "ended" => query.Where(c => c.EndsUtc <= now),
            _ => query,
        };

        var campaigns = await query.OrderByDescending(c => c.StartsUtc).ThenBy(c => c.Slug).AsSplitQuery().ToListAsync(ct);
        var ids = campaigns.Select(c => c.Id).ToList();
        var totals = await CampaignTotalsReader.ForCampaignsAsync(db, ids, now, ct);
        var consented = await Consents.Consents.CoveredAsync(db, ids, now, ct);
        return TypedResults.Ok(campaigns.Select(c => c.ToResponse(totals[c.Id], now, consented, shop.Value.Name)).ToList());
    }

    private static async Task<Results<Ok<CampaignResponse>, ProblemHttpResult>> GetCampaign(
        string slug, AppDb db, SqliteReaders readers, IOptions<ShopOptions> shop, TimeProvider clock, CancellationToken ct)
    {
        var campaign = await ReadResponseAsync(db, readers, slug, clock.GetUtcNow().UtcDateTime, shop.Value.Name, ct);
        return campaign is null ? Problems.NotFound($"No campaign '{slug}'.") : TypedResults.Ok(campaign);
    }

    /// <summary>A campaign as its GET answers it, also the object of campaign events; null when there is none.</summary>
    public static async Task<CampaignResponse?> ReadResponseAsync(AppDb db, SqliteReaders? readers, string slug, DateTime now, string shopName, CancellationToken ct)
    {
        var campaign = await db.FindCampaignAsync(slug, readers, ct);
        if (campaign is null) return null;
        var totals = await CampaignTotalsReader.ForCampaignAsync(db, readers, campaign.Id, now, ct);
        return campaign.ToResponse(totals, now, await Consents.Consents.CoveredAsync(db, [campaign.Id], now, ct), shopName);
    }

    private const int MaxRecent = 50;

    private static async Task<Results<Ok<List<RecentPledgeResponse>>, ProblemHttpResult, ValidationProblem>> ListRecentPledges(
        string slug, [Range(1, MaxRecent)] int? limit, AppDb db, CancellationToken ct)
    {
        if (limit is < 1 or > MaxRecent) return Problems.Invalid("limit", $"'limit' must be from 1 to {MaxRecent}.");
        var campaignId = await db.Campaigns.Where(c => c.Slug == slug).Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct);
        if (campaignId is null) return Problems.NotFound($"No campaign '{slug}'.");
        var confirmed = new[] { Purchases.PurchaseStatus.Confirmed, Purchases.PurchaseStatus.PartiallyRefunded };
        var recent = await db.Purchases.AsNoTracking()
            .Where(p => p.CampaignId == campaignId && confirmed.Contains(p.Status))
            .OrderByDescending(p => p.CreatedUtc).Take(limit ?? 10)
            .Join(db.Charities, p => p.CharityId, ch => ch.Id, (p, ch) => new { p.DonationTotal, p.Reversed, p.Currency, p.ConfirmedUtc, p.CreatedUtc, ch.Slug, ch.Name })
            .ToListAsync(ct);
        return TypedResults.Ok(recent
            .Select(r => new RecentPledgeResponse(r.DonationTotal - r.Reversed, r.Currency, new CharityRefResponse(r.Slug, r.Name),
                DateTime.SpecifyKind(r.ConfirmedUtc ?? r.CreatedUtc, DateTimeKind.Utc)))
            .ToList());
    }

    private static Task<IResult> CreateCampaign(
        CampaignRequest request, ClaimsPrincipal user, HttpContext http, Writes writes, IOptions<ShopOptions> shop, TimeProvider clock, CancellationToken ct) =>
        writes.RunAsync(http, async db =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var (charities, problem) = await FindCharitiesAsync(db, request.Charities!, ct);
            if (problem is not null) return problem;

            var campaign = new Campaign { Slug = request.Slug, Name = request.Name, Currency = request.Currency, CreatedUtc = now };
            request.ApplyTo(campaign, charities, now);
            db.Campaigns.Add(campaign);
            db.CampaignTotals.AddRange(charities.Select(ch => new CampaignTotal { CampaignId = campaign.Id, CharityId = ch.Id, Currency = campaign.Currency }));
            var changes = AuditChanges.Of(db.Entry(campaign)).Set("charities", null, string.Join(',', request.Charities!));
            try
            {
                await db.SaveChangesGuardedAsync(ct);
            }
            catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
            {
                db.ChangeTracker.Clear();
                return Problems.Conflict("slug", $"A campaign with slug '{request.Slug}' already exists.");
            }
            await AuditTrail.RecordAsync(db, AuditTrail.Actor(user), "campaign.created", $"campaign:{campaign.Slug}", changes, now, ct);
            var totals = await CampaignTotalsReader.ForCampaignAsync(db, readers: null, campaign.Id, now, ct);
            return TypedResults.Created($"/api/campaigns/{campaign.Slug}", campaign.ToResponse(totals, now, await Consents.Consents.CoveredAsync(db, [campaign.Id], now, ct), shop.Value.Name));
        });

    private static Task<IResult> UpdateCampaign(
        string slug, CampaignRequest request, ClaimsPrincipal user, HttpContext http, Writes writes, IOptions<ShopOptions> shop, TimeProvider clock, CancellationToken ct) =>
        writes.RunAsync(http, async db =>
        {
            if (request.Slug != slug) return Problems.Unprocessable("slug", "A campaign's slug cannot change; it is part of every link to it.");
            await db.LockCampaignAsync(slug, ct); // PostgreSQL: no purchase reserves budgets while its terms change
            var now = clock.GetUtcNow().UtcDateTime;
            var campaign = await db.Campaigns.Include(c => c.Charities).ThenInclude(cc => cc.Charity).SingleOrDefaultAsync(c => c.Slug == slug, ct);
            if (campaign is null) return Problems.NotFound($"No campaign '{slug}'.");
            if (request.Currency != campaign.Currency && await db.Purchases.AnyAsync(p => p.CampaignId == campaign.Id, ct))
                return Problems.Unprocessable("currency", "The currency cannot change once the campaign has purchases.");

            var (charities, problem) = await FindCharitiesAsync(db, request.Charities!, ct);
            if (problem is not null) return problem;

            var existingTotals = await db.CampaignTotals.Where(t => t.CampaignId == campaign.Id).ToListAsync(ct);
            if (request.Currency != campaign.Currency)
            {
                db.CampaignTotals.RemoveRange(existingTotals); // all zero: the campaign has no purchases yet
                existingTotals = [];
            }
            var charitiesBefore = string.Join(',', campaign.Charities.OrderBy(cc => cc.Position).Select(cc => cc.Charity.Slug));
            campaign.Currency = request.Currency;
            var hadCap = campaign.CampaignCap is not null;
            request.ApplyTo(campaign, charities, now);
            // The cap is kept only while there is one: a cap set now starts from what the ledger says is held.
            if (campaign.CampaignCap is not null && !hadCap) campaign.CapUsed = await CapHeld.OfAsync(db, campaign.Id, ct);
            var changes = AuditChanges.Of(db.Entry(campaign)).Set("charities", charitiesBefore, string.Join(',', request.Charities!));
            var withTotals = existingTotals.Select(t => t.CharityId).ToHashSet();
            db.CampaignTotals.AddRange(charities.Where(ch => !withTotals.Contains(ch.Id))
                .Select(ch => new CampaignTotal { CampaignId = campaign.Id, CharityId = ch.Id, Currency = campaign.Currency }));
            await db.SaveChangesAsync(ct);
            if (changes.Count > 0) await AuditTrail.RecordAsync(db, AuditTrail.Actor(user), "campaign.updated", $"campaign:{slug}", changes, now, ct);

            var totals = await CampaignTotalsReader.ForCampaignAsync(db, readers: null, campaign.Id, now, ct);
            var saved = await db.Campaigns.AsNoTracking().Include(c => c.Charities).ThenInclude(cc => cc.Charity).SingleAsync(c => c.Id == campaign.Id, ct);
            return TypedResults.Ok(saved.ToResponse(totals, now, await Consents.Consents.CoveredAsync(db, [saved.Id], now, ct), shop.Value.Name));
        });

    /// <summary>The charities named by slug, in the order given, or a 422 naming the first unknown one.</summary>
    private static async Task<(List<Charity> Charities, ProblemHttpResult? Problem)> FindCharitiesAsync(
        AppDb db, string[] slugs, CancellationToken ct)
    {
        var found = await db.Charities.Where(c => slugs.Contains(c.Slug)).ToDictionaryAsync(c => c.Slug, ct);
        for (var i = 0; i < slugs.Length; i++)
        {
            if (!found.ContainsKey(slugs[i]))
                return ([], Problems.Unprocessable($"charities[{i}]", $"No charity '{slugs[i]}'. Create it first with POST /api/charities."));
        }
        return (slugs.Select(s => found[s]).ToList(), null);
    }

    private static void ApplyTo(this CampaignRequest r, Campaign c, List<Charity> charities, DateTime now)
    {
        c.Name = r.Name.Trim();
        c.Description = r.Description?.Trim() ?? "";
        c.Goal = r.Goal;
        c.StartsUtc = r.StartsUtc.UtcDateTime;
        c.EndsUtc = r.EndsUtc.UtcDateTime;
        c.PercentBps = r.Pledge!.PercentBps;
        c.FixedAmount = r.Pledge.FixedAmount;
        c.CapPerPurchase = r.Pledge.CapPerPurchase;
        c.CampaignCap = r.Pledge.CampaignCap;
        c.RoundUp = r.RoundUp;
        c.AddOn = r.AddOn;
        c.MatchMinPriorPurchases = r.Match?.MinPriorPurchases;
        c.MatchPercentBps = r.Match?.PercentBps;
        c.MatchBudget = r.Match?.Budget;
        (c.ImpactAmount, c.ImpactSingular, c.ImpactPlural) = (r.Impact?.Amount, r.Impact?.Singular.Trim(), r.Impact?.Plural.Trim());
        c.UpdatedUtc = now;
        // Sync in place: removing and re-adding the same (campaign, charity) key would confuse EF's tracking.
        c.Charities.RemoveAll(cc => charities.All(ch => ch.Id != cc.CharityId));
        for (var i = 0; i < charities.Count; i++)
        {
            var link = c.Charities.Find(cc => cc.CharityId == charities[i].Id);
            if (link is null) c.Charities.Add(link = new CampaignCharity { CampaignId = c.Id, CharityId = charities[i].Id, Charity = charities[i] });
            link.Position = i;
        }
    }


    private static CampaignResponse ToResponse(this Campaign c, TotalsResponse totals, DateTime now, HashSet<(Guid CampaignId, Guid CharityId)> consented, string shop) => new(
        c.Slug, c.Name, c.Description, c.Currency, Currencies.Exponent(c.Currency), c.Goal,
        DateTime.SpecifyKind(c.StartsUtc, DateTimeKind.Utc), DateTime.SpecifyKind(c.EndsUtc, DateTimeKind.Utc), c.PhaseAt(now).ToString().ToLowerInvariant(),
        c.Charities.OrderBy(cc => cc.Position).Select(cc => new CampaignCharityResponse(cc.Charity.Slug, cc.Charity.Name, consented.Contains((c.Id, cc.CharityId)))).ToList(),
        new PledgeRuleResponse(c.PercentBps, c.FixedAmount, c.CapPerPurchase, c.CampaignCap), c.RoundUp, c.AddOn,
        c.MatchPercentBps is { } bps
            ? new MatchResponse(c.MatchMinPriorPurchases ?? 0, bps, c.MatchBudget ?? 0, c.MatchUsed, Math.Max(0, (c.MatchBudget ?? 0) - c.MatchUsed))
            : null,
        totals with { MerchantCapLeft = c.MerchantCapLeft }, Disclosure.For(c, shop), c.ImpactOrNull());

    internal static ImpactResponse? ImpactOrNull(this Campaign c) =>
        c.ImpactAmount is { } amount ? new ImpactResponse(amount, c.ImpactSingular!, c.ImpactPlural!) : null;
}
