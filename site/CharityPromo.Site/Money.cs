using System.Collections.Concurrent;
using System.Globalization;

namespace CharityPromo.Site;

/// <summary>Formats minor units for people: the currency's own decimals and symbol, the reader's number style.</summary>
public static class Money
{
    private static readonly ConcurrentDictionary<string, string> Symbols = new();

    public static string Format(long minorUnits, string currency, int exponent, CultureInfo? culture = null)
    {
        culture ??= CultureInfo.CurrentCulture;
        var format = (NumberFormatInfo)culture.NumberFormat.Clone();
        format.CurrencySymbol = Symbol(currency);
        format.CurrencyDecimalDigits = exponent;
        return (minorUnits / (decimal)Pow10(exponent)).ToString("C", format);
    }

    /// <summary>"$", "€", "¥"… from the cultures that use the currency; the upper-case code when none is known.</summary>
    public static string Symbol(string currency) => Symbols.GetOrAdd(currency, code =>
    {
        var upper = code.ToUpperInvariant();
        if (upper == "USD") return "$";
        var symbol = CultureInfo.GetCultures(CultureTypes.SpecificCultures)
            .Select(c => { try { return new RegionInfo(c.Name); } catch (ArgumentException) { return null; } })
            .Where(r => r is not null && r.ISOCurrencySymbol == upper)
            .Select(r => r!.CurrencySymbol.Normalize(System.Text.NormalizationForm.FormKC)) // full-width "￥" → "¥", which every font has
            .GroupBy(s => s).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();
        return symbol ?? upper + " ";
    });

    /// <summary>Whole percent of the goal reached, floored, capped at 100 for the bar (the text can say more).</summary>
    public static int PercentOf(long raised, long goal) => goal <= 0 ? 0 : (int)Math.Min(100, Math.Max(0, raised * 100 / goal));

    private static long Pow10(int exponent) => exponent switch { 0 => 1, 1 => 10, 2 => 100, 3 => 1000, _ => (long)Math.Pow(10, exponent) };
}
