using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Data;
using FluentValidation;

namespace CharityPromo.Api.Pledges;

/// <summary>The fields a quote and a purchase share: everything the donation depends on.</summary>
internal interface IDonationRequest
{
    string Campaign { get; }
    string? Charity { get; }
    string Currency { get; }
    long Amount { get; }
    bool RoundUp { get; }
    long AddOn { get; }
    string? CustomerRef { get; }
}

/// <summary>What a purchase would give, computed without recording anything.</summary>
/// <param name="Campaign">Campaign slug.</param>
/// <param name="Charity">Charity slug; optional when the campaign supports one charity.</param>
/// <param name="Currency">Must be the campaign's currency.</param>
/// <param name="Amount">Purchase amount in minor units.</param>
/// <param name="RoundUp">The shopper rounds up to the next whole major unit.</param>
/// <param name="AddOn">What the shopper adds, in minor units.</param>
/// <param name="CustomerRef">The checkout's customer reference, for loyalty matching; only its HMAC is kept.</param>
public sealed record QuoteRequest(string Campaign, string? Charity, string Currency, long Amount, bool RoundUp, long AddOn, string? CustomerRef)
    : IDonationRequest;

public sealed record DonationResponse(string Currency, long MerchantPledge, long Match, long RoundUp, long AddOn, long Total)
{
    public static DonationResponse From(string currency, DonationBreakdown d) => new(currency, d.MerchantPledge, d.Match, d.RoundUp, d.AddOn, d.Total);
}

/// <summary>What a purchase would give now, part by part.</summary>
/// <param name="MerchantCapLeft">What is left of the campaign cap before this purchase (the campaign's <c>totals.merchantCapLeft</c>); null without a cap.</param>
public sealed record QuoteResponse(string Currency, long MerchantPledge, long Match, long RoundUp, long AddOn, long Total, long? MerchantCapLeft);

internal sealed class DonationRequestValidator : AbstractValidator<IDonationRequest>
{
    public DonationRequestValidator()
    {
        RuleFor(r => r.Campaign).Slug();
        RuleFor(r => r.Charity).Slug().When(r => r.Charity is not null);
        RuleFor(r => r.Currency).Must(Currencies.IsKnown).WithMessage("'currency' must be a lowercase ISO 4217 code, like 'usd'.");
        RuleFor(r => r.Amount).InclusiveBetween(1, Limits.MaxAmount)
            .WithMessage($"'amount' must be a whole number of minor units from 1 to {Limits.MaxAmount}.");
        RuleFor(r => r.AddOn).InclusiveBetween(0, Limits.MaxAmount)
            .WithMessage($"'addOn' must be a whole number of minor units from 0 to {Limits.MaxAmount}.");
        RuleFor(r => r.CustomerRef).MaximumLength(Limits.Reference);
    }
}

internal sealed class QuoteRequestValidator : AbstractValidator<QuoteRequest>
{
    public QuoteRequestValidator() => Include(new DonationRequestValidator());
}
