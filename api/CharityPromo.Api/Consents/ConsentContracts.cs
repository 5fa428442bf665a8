using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using FluentValidation;

namespace CharityPromo.Api.Consents;

/// <summary>A charity's consent to promotions in its name.</summary>
/// <param name="GrantedBy">Who signed for the charity, e.g. "Jane Doe, Director".</param>
/// <param name="GrantedUtc">From when the consent holds (ISO 8601).</param>
/// <param name="Document">Absolute http(s) URL of the signed consent.</param>
/// <param name="Campaigns">Slugs of the campaigns it covers; omit (or null) for every campaign of the charity, later ones too.</param>
/// <param name="ExpiresUtc">When it ends (exclusive); omit for no end.</param>
public sealed record ConsentRequest(string GrantedBy, DateTimeOffset? GrantedUtc, string Document, string[]? Campaigns, DateTimeOffset? ExpiresUtc);

/// <summary>A consent on record.</summary>
/// <param name="Document">The signed consent's URL; null only for a consent recorded by the upgrade for campaigns already running (docs/OPERATIONS.md).</param>
/// <param name="Campaigns">The campaigns it covers; null = every campaign of the charity.</param>
/// <param name="WithdrawnUtc">When it was withdrawn (DELETE); it covers nothing from then on.</param>
public sealed record ConsentResponse(
    Guid Id, string Charity, string GrantedBy, DateTime GrantedUtc, string? Document, IReadOnlyList<string>? Campaigns,
    DateTime? ExpiresUtc, DateTime? WithdrawnUtc, DateTime CreatedUtc);

internal sealed class ConsentRequestValidator : AbstractValidator<ConsentRequest>
{
    public const int MaxCampaigns = 100;

    public ConsentRequestValidator()
    {
        RuleFor(r => r.GrantedBy).NotEmpty().MaximumLength(Limits.Name);
        RuleFor(r => r.GrantedUtc).NotNull().WithMessage("'grantedUtc' is required: from when the consent holds.");
        RuleFor(r => r.Document).NotEmpty().MaximumLength(Limits.Url)
            .Must(Urls.IsHttp).WithMessage("'document' must be an absolute http or https URL of the signed consent.");
        RuleFor(r => r.Campaigns)
            .Must(c => c!.Length is > 0 and <= MaxCampaigns).WithMessage($"'campaigns' lists 1 to {MaxCampaigns} campaigns; omit it for all.")
            .Must(c => c!.Distinct().Count() == c!.Length).WithMessage("'campaigns' lists a campaign twice.")
            .When(r => r.Campaigns is not null);
        RuleForEach(r => r.Campaigns).Slug();
        RuleFor(r => r.ExpiresUtc).GreaterThan(r => r.GrantedUtc).When(r => r.ExpiresUtc is not null && r.GrantedUtc is not null)
            .WithMessage("'expiresUtc' must be after 'grantedUtc'.");
    }
}
