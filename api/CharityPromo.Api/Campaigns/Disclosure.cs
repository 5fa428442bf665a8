using System.ComponentModel.DataAnnotations;
using System.Globalization;
using CharityPromo.Api.Data;
using CharityPromo.Api.Pledges;

namespace CharityPromo.Api.Campaigns;

/// <summary>Section <c>Shop</c>: who runs the promotions, as disclosures, receipts and statements name it.</summary>
public sealed class ShopOptions
{
    public const string Section = "Shop";

    /// <summary>The shop's name (<c>Shop__Name</c>), e.g. "Corner Books".</summary>
    [Required, MaxLength(Limits.Name)] public string Name { get; set; } = "The shop";
}

/// <summary>
/// The point-of-sale disclosure (BBB Wise Giving Alliance Standard 19, UK Charities Act s.60): one sentence saying who
/// gives, what portion of the price, any cap a purchase and in all, to which charities, for how long, and the match with its
/// budget. Built from the campaign's terms only, so it is exactly what the pledge math does.
/// </summary>
internal static class Disclosure
{
    private static readonly CultureInfo English = CultureInfo.InvariantCulture; // the API runs with invariant globalization: English names

    /// <summary>"Corner Books gives 5% of the purchase price, up to $5.00 a purchase and $6.00 in all, to Read Together from 1 January 2026 to 31 December 2029."</summary>
    public static string For(Campaign c, string shop)
    {
        string M(long minor) => Money(minor, c.Currency);
        var portion = c.PercentBps is { } bps ? $"{(bps / 100m).ToString("0.##", English)}% of the purchase price" : $"{M(c.FixedAmount ?? 0)} a purchase";
        var caps = (c.CapPerPurchase, c.CampaignCap) switch
        {
            ({ } each, { } all) => $", up to {M(each)} a purchase and {M(all)} in all,",
            ({ } each, null) => $", up to {M(each)} a purchase,",
            (null, { } all) => $", up to {M(all)} in all,",
            _ => "",
        };
        var charities = c.Charities.OrderBy(cc => cc.Position).Select(cc => cc.Charity.Name).ToList();
        var to = charities.Count == 1 ? charities[0] : $"{Join(charities, "or")}, as the shopper chooses,";
        var lastDay = DateTime.SpecifyKind(c.EndsUtc, DateTimeKind.Utc).AddTicks(-1); // the end is exclusive
        var sentence = $"{shop} gives {portion}{caps} to {to} from {Day(c.StartsUtc)} to {Day(lastDay)}";
        if (c.MatchPercentBps is { } matchBps)
        {
            var whose = c.MatchMinPriorPurchases is null or 0
                ? "every purchase's donation"
                : $"the donations of customers with {c.MatchMinPriorPurchases} or more earlier purchases";
            sentence += $", and matches {whose} at {(matchBps / 100m).ToString("0.##", English)}%, up to {M(c.MatchBudget ?? 0)} in all";
        }
        return sentence + ".";
    }

    /// <summary>Minor units as a shopper reads them in the currency: $5.00, €0.50, ¥500, CHF 1,234.50.</summary>
    public static string Money(long minor, string currency)
    {
        var exponent = Currencies.Exponent(currency);
        var major = minor / (decimal)Currencies.MinorUnitsPerMajor(currency);
        var number = major.ToString("N" + exponent.ToString(English), English);
        return Symbols.TryGetValue(currency, out var symbol) ? symbol + number : $"{currency.ToUpperInvariant()} {number}";
    }

    /// <summary>A UTC date as "1 January 2026".</summary>
    public static string Day(DateTime utc) => utc.ToString("d MMMM yyyy", English);

    private static readonly Dictionary<string, string> Symbols = new(StringComparer.Ordinal)
    {
        ["usd"] = "$", ["eur"] = "€", ["gbp"] = "£", ["jpy"] = "¥", ["cny"] = "CN¥", ["inr"] = "₹", ["krw"] = "₩",
        ["aud"] = "A$", ["cad"] = "CA$", ["nzd"] = "NZ$", ["hkd"] = "HK$", ["sgd"] = "S$", ["mxn"] = "MX$", ["brl"] = "R$",
        ["ils"] = "₪", ["php"] = "₱", ["vnd"] = "₫", ["ngn"] = "₦", ["try"] = "₺",
    };

    private static string Join(List<string> names, string word) =>
        names.Count <= 1 ? string.Concat(names) : string.Join(", ", names[..^1]) + $" {word} " + names[^1];
}
