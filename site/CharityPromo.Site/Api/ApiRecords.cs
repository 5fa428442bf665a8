namespace CharityPromo.Site.Api;

// The site's own view of the API's public JSON: only the fields it shows.

public sealed record CampaignSummary(
    string Slug, string Name, string Description, string Currency, int CurrencyExponent, long Goal,
    DateTime StartsUtc, DateTime EndsUtc, string Status, IReadOnlyList<CharityRef> Charities,
    PledgeRule Pledge, bool RoundUp, bool AddOn, MatchRule? Match, Totals Totals, Impact? Impact = null);

/// <summary>What one unit of the campaign's money does: <see cref="Amount"/> minor units buy one <see cref="Singular"/>.</summary>
public sealed record Impact(long Amount, string Singular, string Plural);

public sealed record CharityRef(string Slug, string Name);

public sealed record PledgeRule(int? PercentBps, long? FixedAmount, long? CapPerPurchase);

public sealed record MatchRule(int MinPriorPurchases, int PercentBps, long Budget, long Used, long Remaining);

public sealed record Totals(long Raised, long Pending, long Purchases, IReadOnlyList<CharityTotals> ByCharity, IReadOnlyList<DailyTotal>? Daily, DateTime AsOfUtc, long Remitted = 0);

/// <param name="Remitted">What of <paramref name="Raised"/> the shop has paid to the charity so far.</param>
public sealed record CharityTotals(string Charity, string Name, long Raised, long Pending, long Purchases, long Remitted = 0);

public sealed record DailyTotal(DateOnly Date, long Raised, long Cumulative, long Purchases);

public sealed record RecentPledge(long Amount, string Currency, CharityRef Charity, DateTime ConfirmedUtc);

public sealed record CharityDetails(string Slug, string Name, string Description, string? Website, string? RegistrationNumber, IReadOnlyList<CharityCampaign>? Campaigns);

public sealed record CharityCampaign(string Campaign, string Name, string Currency, long Raised, long Pending, long Purchases);

public sealed record Receipt(string ReceiptCode, DateTime CreatedUtc, string Status, Donation Donation, long Reversed, long Net, ReceiptCampaign Campaign, CharityRef Charity);

public sealed record Donation(string Currency, long MerchantPledge, long Match, long RoundUp, long AddOn, long Total);

public sealed record ReceiptCampaign(string Slug, string Name, string Currency, int CurrencyExponent, long Goal, long Raised, Impact? Impact = null);

/// <summary>What the shop has paid a charity, per currency and payment by payment, and how long pledges wait before they are paid.</summary>
public sealed record CharityPayments(int HoldDays, IReadOnlyList<CharityPaidTotals> Currencies, IReadOnlyList<CharityPayment> Payments);

public sealed record CharityPaidTotals(string Currency, int CurrencyExponent, long Paid, int Payments, DateTime? LastPaidUtc, long Raised, long NotYetPaid);

/// <param name="Method">"bank" or "stripe_transfer".</param>
public sealed record CharityPayment(DateTime PaidUtc, long Amount, string Currency, int CurrencyExponent, string Method);
