using System.ComponentModel.DataAnnotations;
using CharityPromo.Api.Data;
using CharityPromo.Api.Pledges;
using FluentValidation;

namespace CharityPromo.Api.Campaigns;

/// <summary>A promotion: which charities it supports and how purchases turn into donations.</summary>
/// <param name="Slug">URL name, e.g. "literacy-2026".</param>
/// <param name="Name">Display name.</param>
/// <param name="Description">Shown to shoppers.</param>
/// <param name="Currency">Lowercase ISO 4217 code; every purchase must be in it.</param>
/// <param name="Goal">Fundraising goal in minor units.</param>
/// <param name="StartsUtc">First moment purchases count.</param>
/// <param name="EndsUtc">End of the campaign (exclusive).</param>
/// <param name="Charities">Slugs of the supported charities, in display order.</param>
/// <param name="Pledge">The merchant's pledge per purchase.</param>
/// <param name="RoundUp">Shoppers may round their total up to the next whole major unit.</param>
/// <param name="AddOn">Shoppers may add an amount of their own.</param>
/// <param name="Match">Loyalty match, optional.</param>
/// <param name="Impact">What a unit of money does, for shoppers ("500 buys a book"), optional.</param>
public sealed record CampaignRequest(
    string Slug, string Name, string? Description, string Currency, long Goal,
    DateTimeOffset StartsUtc, DateTimeOffset EndsUtc, string[]? Charities,
    PledgeRuleRequest? Pledge, bool RoundUp, bool AddOn, MatchRequest? Match, ImpactRequest? Impact = null);

/// <summary>What one unit of money does, in words a shopper reads: "2,391 books so far".</summary>
/// <param name="Amount">What one unit costs, in the campaign currency's minor units.</param>
/// <param name="Singular">The unit, as in "a book".</param>
/// <param name="Plural">The units, as in "2,391 books".</param>
public sealed record ImpactRequest(long Amount, string Singular, string Plural);

/// <summary>Exactly one of <paramref name="PercentBps"/> and <paramref name="FixedAmount"/>.</summary>
/// <param name="PercentBps">Percent of the purchase in basis points: 500 = 5%.</param>
/// <param name="FixedAmount">A fixed amount per purchase, in minor units.</param>
/// <param name="CapPerPurchase">Upper limit of the merchant pledge per purchase, in minor units.</param>
public sealed record PledgeRuleRequest(int? PercentBps, long? FixedAmount, long? CapPerPurchase);

/// <param name="MinPriorPurchases">Earlier paid, not fully refunded purchases a customer needs to be matched.</param>
/// <param name="PercentBps">Match rate in basis points of the shopper's donation: 10000 = 1:1.</param>
/// <param name="Budget">The most the merchant matches over the whole campaign, in minor units.</param>
public sealed record MatchRequest(int MinPriorPurchases, int PercentBps, long Budget);

/// <param name="CurrencyExponent">Digits after the decimal point in <paramref name="Currency"/> (0 for jpy, 2 for usd, 3 for kwd).</param>
public sealed record CampaignResponse(
    string Slug, string Name, string Description, string Currency, int CurrencyExponent, long Goal,
    DateTime StartsUtc, DateTime EndsUtc, [property: AllowedValues("upcoming", "active", "ended")] string Status,
    IReadOnlyList<CharityRefResponse> Charities, PledgeRuleResponse Pledge, bool RoundUp, bool AddOn,
    MatchResponse? Match, TotalsResponse Totals, ImpactResponse? Impact = null);

/// <param name="Amount">What one unit costs, in the campaign currency's minor units.</param>
public sealed record ImpactResponse(long Amount, string Singular, string Plural);

/// <summary>The campaign's merchant pledge: one of <paramref name="PercentBps"/> and <paramref name="FixedAmount"/>, capped per purchase.</summary>
public sealed record PledgeRuleResponse(int? PercentBps, long? FixedAmount, long? CapPerPurchase);

public sealed record CharityRefResponse(string Slug, string Name);

/// <summary>One shopper's pledge as the public sees it: how much, for whom, when. Nothing personal.</summary>
/// <param name="Amount">The donation net of any refund, in minor units.</param>
public sealed record RecentPledgeResponse(long Amount, string Currency, CharityRefResponse Charity, DateTime ConfirmedUtc);

public sealed record MatchResponse(int MinPriorPurchases, int PercentBps, long Budget, long Used, long Remaining);

/// <summary>Running totals. <c>raised</c> = confirmed donations net of reversals; <c>pending</c> = recorded but not yet paid.</summary>
/// <param name="Remitted">What of <paramref name="Raised"/> the shop has paid to the charities so far (net of any Stripe transfer reversed).</param>
public sealed record TotalsResponse(
    long Raised, long Pending, long Purchases, IReadOnlyList<CharityTotalsResponse> ByCharity,
    IReadOnlyList<DailyTotalResponse>? Daily, DateTime AsOfUtc, long Remitted);

/// <param name="Remitted">What of <paramref name="Raised"/> the shop has paid to this charity so far.</param>
public sealed record CharityTotalsResponse(string Charity, string Name, long Raised, long Pending, long Purchases, long Remitted);

/// <summary>One UTC day: net raised that day, the running total at its end, and purchases confirmed that day.</summary>
public sealed record DailyTotalResponse(DateOnly Date, long Raised, long Cumulative, long Purchases);

internal sealed class CampaignRequestValidator : AbstractValidator<CampaignRequest>
{
    public const int MaxCharities = 20;
    public const int MaxMatchBps = 100_000;

    public CampaignRequestValidator()
    {
        RuleFor(r => r.Slug).Slug();
        RuleFor(r => r.Name).NotEmpty().MaximumLength(Limits.Name);
        RuleFor(r => r.Description).MaximumLength(Limits.Description);
        RuleFor(r => r.Currency).Must(Currencies.IsKnown).WithMessage("'currency' must be a lowercase ISO 4217 code, like 'usd'.");
        RuleFor(r => r.Goal).InclusiveBetween(0, Limits.MaxAmount);
        RuleFor(r => r.EndsUtc).GreaterThan(r => r.StartsUtc).WithMessage("'endsUtc' must be after 'startsUtc'.");
        RuleFor(r => r.Charities).NotEmpty()
            .Must(c => c!.Length <= MaxCharities).WithMessage($"A campaign supports at most {MaxCharities} charities.")
            .Must(c => c!.Distinct().Count() == c!.Length).WithMessage("'charities' lists a charity twice.");
        RuleForEach(r => r.Charities).Slug();
        RuleFor(r => r.Pledge).NotNull().SetValidator(new PledgeRuleValidator()!)
            .Must(p => p is null || p.PercentBps.HasValue ^ p.FixedAmount.HasValue)
            .WithMessage("Give exactly one of 'pledge.percentBps' and 'pledge.fixedAmount'.");
        RuleFor(r => r.Match!).SetValidator(new MatchValidator()).When(r => r.Match is not null);
        RuleFor(r => r.Impact!).SetValidator(new ImpactValidator()).When(r => r.Impact is not null);
    }

    public const int MaxImpactWord = 40;

    private sealed class ImpactValidator : AbstractValidator<ImpactRequest>
    {
        public ImpactValidator()
        {
            RuleFor(i => i.Amount).InclusiveBetween(1, Limits.MaxAmount);
            RuleFor(i => i.Singular).NotEmpty().MaximumLength(MaxImpactWord);
            RuleFor(i => i.Plural).NotEmpty().MaximumLength(MaxImpactWord);
        }
    }

    private sealed class PledgeRuleValidator : AbstractValidator<PledgeRuleRequest>
    {
        public PledgeRuleValidator()
        {
            RuleFor(p => p.PercentBps).InclusiveBetween(1, PledgeMath.BasisPointsPerWhole);
            RuleFor(p => p.FixedAmount).InclusiveBetween(1, Limits.MaxAmount);
            RuleFor(p => p.CapPerPurchase).InclusiveBetween(0, Limits.MaxAmount);
        }
    }

    private sealed class MatchValidator : AbstractValidator<MatchRequest>
    {
        public MatchValidator()
        {
            RuleFor(m => m.MinPriorPurchases).InclusiveBetween(0, 1000);
            RuleFor(m => m.PercentBps).InclusiveBetween(1, MaxMatchBps);
            RuleFor(m => m.Budget).InclusiveBetween(0, Limits.MaxAmount);
        }
    }
}
