namespace CharityPromo.Api.Pledges;

/// <summary>How a campaign turns a purchase into a donation (docs/CONTRACT.md, "Donations").</summary>
internal sealed record PledgeRule(
    int? PercentBps,
    long? FixedAmount,
    long? CapPerPurchase,
    bool RoundUpAllowed,
    bool AddOnAllowed,
    MatchRule? Match);

internal sealed record MatchRule(int MinPriorPurchases, int PercentBps, long Budget);

/// <summary>What the checkout tells us about one purchase, plus what we know of the customer.</summary>
internal sealed record DonationInput(
    string Currency,
    long Amount,
    bool RoundUp,
    long AddOn,
    int PriorPaidPurchases,
    long MatchBudgetLeft,
    long? MerchantCapLeft = null);

/// <summary>
/// A donation in its four parts, in minor units of the currency of what carries it: a purchase's pledge, what a refund
/// took back, what a ledger entry moved (an EF complex type on each, one column per part).
/// </summary>
public sealed record DonationBreakdown(long MerchantPledge, long Match, long RoundUp, long AddOn)
{
    public static readonly DonationBreakdown None = new(0, 0, 0, 0);

    public long Total => MerchantPledge + Match + RoundUp + AddOn;

    public static DonationBreakdown operator +(DonationBreakdown a, DonationBreakdown b) =>
        new(a.MerchantPledge + b.MerchantPledge, a.Match + b.Match, a.RoundUp + b.RoundUp, a.AddOn + b.AddOn);

    public static DonationBreakdown operator -(DonationBreakdown a, DonationBreakdown b) => a + -b;

    public static DonationBreakdown operator -(DonationBreakdown a) => new(-a.MerchantPledge, -a.Match, -a.RoundUp, -a.AddOn);
}

/// <summary>
/// The donation rules as pure functions. One rounding rule everywhere: a fraction of a minor unit
/// is rounded half away from zero (amounts here are never negative, so half up).
/// </summary>
internal static class PledgeMath
{
    public const int BasisPointsPerWhole = 10_000;

    public static DonationBreakdown Compute(PledgeRule rule, DonationInput input)
    {
        var merchantPledge = rule.PercentBps is { } bps
            ? ApplyBasisPoints(input.Amount, bps)
            : rule.FixedAmount ?? 0;
        if (rule.CapPerPurchase is { } cap) merchantPledge = Math.Min(merchantPledge, cap);

        var roundUp = rule.RoundUpAllowed && input.RoundUp ? RoundUpToMajorUnit(input.Amount, input.Currency) : 0;
        var addOn = rule.AddOnAllowed ? input.AddOn : 0;

        long match = 0;
        if (rule.Match is { } m && input.PriorPaidPurchases >= m.MinPriorPurchases)
        {
            match = ApplyBasisPoints(merchantPledge + roundUp + addOn, m.PercentBps);
            match = Math.Clamp(match, 0, Math.Max(0, input.MatchBudgetLeft));
        }

        // The campaign cap bounds the shop's own pledge only, last: the match and the shopper's gifts stay what they
        // would have been without it.
        if (input.MerchantCapLeft is { } capLeft) merchantPledge = Math.Min(merchantPledge, Math.Max(0, capLeft));

        return new DonationBreakdown(merchantPledge, match, roundUp, addOn);
    }

    /// <summary><paramref name="amount"/> × bps / 10000, rounded half away from zero.</summary>
    public static long ApplyBasisPoints(long amount, int basisPoints) =>
        MultiplyDivideRounded(amount, basisPoints, BasisPointsPerWhole);

    /// <summary>What takes <paramref name="amount"/> up to the next whole major unit: 4999 usd → 1, 5000 → 0.</summary>
    public static long RoundUpToMajorUnit(long amount, string currency)
    {
        var unit = Currencies.MinorUnitsPerMajor(currency);
        return (unit - amount % unit) % unit;
    }

    /// <summary>
    /// How much of each donation part a refund takes back. Reversals are computed on the cumulative
    /// refunded share and the difference to what was already reversed is returned, so partial refunds
    /// add up exactly to a full one and can never reverse more than was pledged.
    /// </summary>
    public static DonationBreakdown ReversalFor(
        DonationBreakdown pledged, DonationBreakdown alreadyReversed, long refundedBefore, long refundNow, long paid)
    {
        if (paid <= 0) throw new ArgumentOutOfRangeException(nameof(paid), "A refund needs a paid amount.");
        var refundedAfter = Math.Min(paid, refundedBefore + refundNow);
        long Part(long pledgedPart, long reversedPart) =>
            Math.Max(0, MultiplyDivideRounded(pledgedPart, refundedAfter, paid) - reversedPart);
        return new DonationBreakdown(
            Part(pledged.MerchantPledge, alreadyReversed.MerchantPledge),
            Part(pledged.Match, alreadyReversed.Match),
            Part(pledged.RoundUp, alreadyReversed.RoundUp),
            Part(pledged.AddOn, alreadyReversed.AddOn));
    }

    /// <summary>value × numerator / denominator, rounded half away from zero, without overflow.</summary>
    public static long MultiplyDivideRounded(long value, long numerator, long denominator)
    {
        var product = (Int128)value * numerator;
        var quotient = Int128.DivRem(product, denominator);
        var result = quotient.Quotient;
        if (Int128.Abs(quotient.Remainder) * 2 >= Int128.Abs(denominator))
            result += Int128.Sign(product) * Int128.Sign(denominator);
        return checked((long)result);
    }
}
