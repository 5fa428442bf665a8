using System.Globalization;
using System.Net;
using System.Text;
using CharityPromo.Site.Api;

namespace CharityPromo.Site;

/// <summary>Server-rendered SVG: the campaign's progress over time, and the embeddable badge.</summary>
public static class Svg
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// An area chart of the running total by day, starting from zero. It is scaled to the data, with the
    /// goal drawn as a dashed line only when it is near enough to be seen. Empty when there is no data.
    /// </summary>
    public static string Chart(CampaignSummary c, int width = 640, int height = 220)
    {
        var days = c.Totals.Daily ?? [];
        if (days.Count == 0) return "";
        const int pad = 8;
        var points = new List<long> { 0 };
        points.AddRange(days.Select(d => d.Cumulative));
        var highest = Math.Max(1, points.Max());
        var showGoal = c.Goal > 0 && c.Goal <= highest * 3 / 2;
        var top = showGoal ? Math.Max(highest, c.Goal) : highest;
        string X(int i) => (pad + i * (width - 2.0 * pad) / (points.Count - 1)).ToString("0.#", Invariant);
        string Y(long v) => (height - pad - (double)Math.Max(0, v) / top * (height - 2.0 * pad)).ToString("0.#", Invariant);

        var line = string.Join(" ", points.Select((v, i) => $"{X(i)},{Y(v)}"));
        var area = $"{X(0)},{height - pad} {line} {X(points.Count - 1)},{height - pad}";
        var goal = showGoal ? $"""<line x1="{pad}" x2="{width - pad}" y1="{Y(c.Goal)}" y2="{Y(c.Goal)}" stroke="#4a5360" stroke-dasharray="6 4" />""" : "";
        var summary = $"Raised over time: {Money.Format(days[^1].Cumulative, c.Currency, c.CurrencyExponent)} by {days[^1].Date:d MMM yyyy} "
                      + $"over {Words.Plural(days.Count, "day")} with gifts, against a goal of {Money.Format(c.Goal, c.Currency, c.CurrencyExponent)}.";

        return $"""
            <svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title" preserveAspectRatio="none">
              <title id="chart-title">{E(summary)}</title>
              {goal}
              <polygon points="{area}" fill="#cfe8da" />
              <polyline points="{line}" fill="none" stroke="#0b5d3b" stroke-width="3" />
            </svg>
            """;
    }

    /// <summary>"$119.49 raised of $10,000.00" over a progress bar: 260×56, readable at small sizes.</summary>
    public static string Badge(string name, long raised, long goal, string currency, int exponent)
    {
        var percent = Money.PercentOf(raised, goal);
        var english = CultureInfo.GetCultureInfo("en-US"); // one cacheable badge per campaign, whoever embeds it
        var raisedText = Money.Format(raised, currency, exponent, english);
        var goalText = Money.Format(goal, currency, exponent, english);
        var label = $"{name}: {raisedText} raised of {goalText}";
        var barWidth = (int)Math.Round(236 * percent / 100.0);
        var svg = new StringBuilder();
        svg.Append($"""
            <svg xmlns="http://www.w3.org/2000/svg" width="260" height="56" viewBox="0 0 260 56" role="img" aria-label="{E(label)}">
              <title>{E(label)}</title>
              <rect width="260" height="56" rx="8" fill="#ffffff" stroke="#d6dbe1" />
              <text x="12" y="22" font-family="system-ui, sans-serif" font-size="14" fill="#1b1f24"><tspan font-weight="700" fill="#074029">{E(raisedText)}</tspan> raised of {E(goalText)}</text>
              <rect x="12" y="32" width="236" height="12" rx="6" fill="#e4e8ec" />
              <rect x="12" y="32" width="{barWidth}" height="12" rx="6" fill="#0b5d3b" />
            </svg>
            """);
        return svg.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
