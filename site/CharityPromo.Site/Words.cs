using System.Globalization;
using CharityPromo.Site.Api;

namespace CharityPromo.Site;

/// <summary>Campaign rules and times in plain words.</summary>
public static class Words
{
    /// <summary>"5% of every purchase, up to $5.00", "€0.50 from every purchase".</summary>
    public static string Pledge(CampaignSummary c)
    {
        var rule = c.Pledge.PercentBps is { } bps
            ? $"{(bps / 100m).ToString("0.##", CultureInfo.CurrentCulture)}% of every purchase"
            : $"{Money.Format(c.Pledge.FixedAmount ?? 0, c.Currency, c.CurrencyExponent)} from every purchase";
        if (c.Pledge.CapPerPurchase is { } cap) rule += $", up to {Money.Format(cap, c.Currency, c.CurrencyExponent)},";
        return $"{rule} goes to {Join(c.Charities.Select(ch => ch.Name))}.";
    }

    /// <summary>"2,391 books so far": whole units, rounded down, so a running total never claims more than it paid for.</summary>
    public static string ImpactSoFar(long raised, Impact impact, CultureInfo? culture = null) =>
        $"{Units(Math.Max(0, raised) / impact.Amount, impact, culture)} so far";

    /// <summary>
    /// What one gift comes to: whole units rounded down ("2 books"); below one, the largest of half, a quarter and a
    /// tenth that it reaches ("half a book"), or "a little towards a book". Null for nothing at all.
    /// </summary>
    public static string? ImpactOfGift(long gave, Impact impact)
    {
        if (gave <= 0) return null;
        if (gave >= impact.Amount) return Units(gave / impact.Amount, impact, null);
        var a = Article(impact.Singular);
        return (gave * 100 / impact.Amount) switch
        {
            >= 50 => $"half {a} {impact.Singular}",
            >= 25 => $"a quarter of {a} {impact.Singular}",
            >= 10 => $"a tenth of {a} {impact.Singular}",
            _ => $"a little towards {a} {impact.Singular}",
        };
    }

    private static string Units(long count, Impact impact, CultureInfo? culture) =>
        count == 1 ? $"1 {impact.Singular}" : $"{count.ToString("N0", culture ?? CultureInfo.CurrentCulture)} {impact.Plural}";

    private static string Article(string word) => word.Length > 0 && "aeiouAEIOU".Contains(word[0]) ? "an" : "a";

    public static IEnumerable<string> Extras(CampaignSummary c)
    {
        if (c.RoundUp && c.CurrencyExponent > 0) yield return "You can round your total up to the next whole amount and give the difference.";
        if (c.AddOn) yield return "You can add a gift of your own at the checkout.";
        if (c.Match is { } m)
        {
            var rate = m.PercentBps == 10_000 ? "one for one" : $"at {(m.PercentBps / 100m).ToString("0.##", CultureInfo.CurrentCulture)}%";
            var who = m.MinPriorPurchases == 0 ? "Every shopper's gift" : $"Loyal customers ({m.MinPriorPurchases} or more earlier purchases) have their gift";
            yield return $"{who} matched {rate}, from a {Money.Format(m.Budget, c.Currency, c.CurrencyExponent)} budget ({Money.Format(m.Remaining, c.Currency, c.CurrencyExponent)} left).";
        }
    }

    /// <summary>"just now", "5 minutes ago", "3 hours ago", "2 days ago".</summary>
    public static string Ago(DateTime utc, DateTime nowUtc)
    {
        var span = nowUtc - utc;
        if (span < TimeSpan.FromMinutes(1)) return "just now";
        if (span < TimeSpan.FromHours(1)) return Plural((int)span.TotalMinutes, "minute") + " ago";
        if (span < TimeSpan.FromDays(1)) return Plural((int)span.TotalHours, "hour") + " ago";
        return Plural((int)span.TotalDays, "day") + " ago";
    }

    public static string Plural(long n, string word) => $"{Count(n)} {word}{(n == 1 ? "" : "s")}";

    /// <summary>A count as the reader writes numbers: "2,125" in en-US, "2.125" in de-DE, never a bare "2125".</summary>
    public static string Count(long n, CultureInfo? culture = null) => n.ToString("N0", culture ?? CultureInfo.CurrentCulture);

    /// <summary>"$120.00 of this has been paid to Read Together", or that none has yet.</summary>
    public static string PaidOfThis(string amount, long remitted, string to) =>
        remitted > 0 ? $"{amount} of this has been paid to {to}" : $"None of this has been paid to {to} yet";

    /// <summary>"7 Dec 2026".</summary>
    public static string Day(DateTime utc) => utc.ToString("d MMM yyyy", CultureInfo.CurrentCulture);

    /// <summary>How a payment reached the charity, from the API's <c>method</c>.</summary>
    public static string PaymentMethod(string method) => method switch
    {
        "stripe_transfer" => "Stripe transfer",
        "bank" => "Bank transfer",
        _ => method.Replace('_', ' '),
    };

    /// <summary>How gifts become payments: the remittance hold, in one sentence.</summary>
    public static string Hold(int holdDays, string charity) => holdDays > 0
        ? $"Gifts are paid to {charity} in batches. Each gift waits at least {Plural(holdDays, "day")} after the purchase is paid, "
          + "so that a refund in that time never takes back money the charity already has; until then it counts as raised, not yet paid."
        : $"Gifts are paid to {charity} in batches; until a gift is in a paid batch it counts as raised, not yet paid.";

    public static string Absolute(DateTime utc) => utc.ToString("d MMM yyyy, HH:mm 'UTC'", CultureInfo.CurrentCulture);

    private static string Join(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count <= 1 ? string.Concat(list) : string.Join(", ", list[..^1]) + " and " + list[^1];
    }
}
