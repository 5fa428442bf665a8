namespace CharityPromo.Api.Campaigns;

internal sealed class Charity
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Slug { get; set; }
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public string? Website { get; set; }
    public string? RegistrationNumber { get; set; }
    /// <summary>The charity's Stripe connected account (acct_…), once onboarding was started.</summary>
    public string? StripeAccountId { get; set; }
    /// <summary>Stripe says the account's <c>transfers</c> capability is active: remittances can be paid to it by transfer.</summary>
    public bool StripeTransfersEnabled { get; set; }
    /// <summary>Stripe pays the account's balance out to the charity's bank (<c>payouts_enabled</c>).</summary>
    public bool StripePayoutsEnabled { get; set; }
    public DateTime CreatedUtc { get; set; }
    public DateTime UpdatedUtc { get; set; }
}
