using CharityPromo.Api.Data;
using CharityPromo.Api.Infrastructure;
using System.Text.Json.Serialization;
using FluentValidation;

namespace CharityPromo.Api.Campaigns;

/// <summary>A charity that campaigns can support.</summary>
/// <param name="Slug">URL name: lowercase letters, digits and single hyphens, e.g. "read-together".</param>
/// <param name="Name">Display name.</param>
/// <param name="Description">What the charity does, shown to shoppers.</param>
/// <param name="Website">Absolute http(s) URL.</param>
/// <param name="RegistrationNumber">Charity registration number, shown on statements.</param>
public sealed record CharityRequest(string Slug, string Name, string? Description, string? Website, string? RegistrationNumber);

/// <summary>A charity, with what each campaign has raised for it so far (on single reads).</summary>
/// <param name="StripeAccountId">Admin keys only: the charity's Stripe connected account, once onboarding started.</param>
/// <param name="CanReceiveTransfers">Admin keys only: Stripe says the account can receive transfers, so batches can be paid by transfer.</param>
/// <param name="PayoutsEnabled">Admin keys only: Stripe pays the account's balance out to the charity's bank.</param>
public sealed record CharityResponse(
    string Slug, string Name, string Description, string? Website, string? RegistrationNumber,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<CharityCampaignResponse>? Campaigns = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? StripeAccountId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? CanReceiveTransfers = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? PayoutsEnabled = null);

/// <summary>One campaign a charity is part of, and what it raised for that charity.</summary>
public sealed record CharityCampaignResponse(string Campaign, string Name, string Currency, long Raised, long Pending, long Purchases);

internal sealed class CharityRequestValidator : AbstractValidator<CharityRequest>
{
    public CharityRequestValidator()
    {
        RuleFor(r => r.Slug).Slug();
        RuleFor(r => r.Name).NotEmpty().MaximumLength(Limits.Name);
        RuleFor(r => r.Description).MaximumLength(Limits.Description);
        RuleFor(r => r.Website).MaximumLength(Limits.Url)
            .Must(Urls.IsHttp).When(r => !string.IsNullOrEmpty(r.Website))
            .WithMessage("'website' must be an absolute http or https URL.");
        RuleFor(r => r.RegistrationNumber).MaximumLength(Limits.Reference);
    }
}

internal static class SlugRules
{
    private static readonly System.Text.RegularExpressions.Regex Pattern =
        new(@"^[a-z0-9]+(-[a-z0-9]+)*\z", System.Text.RegularExpressions.RegexOptions.Compiled);

    public static bool IsSlug(string? value) => value is { Length: > 0 and <= Limits.Slug } && Pattern.IsMatch(value);

    public static IRuleBuilderOptions<T, string?> Slug<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(IsSlug).WithMessage($"'{{PropertyName}}' must be 1 to {Limits.Slug} lowercase letters, digits and single hyphens, like 'read-together'.");
}
