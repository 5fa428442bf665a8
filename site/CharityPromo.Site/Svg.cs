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
    /// The running total over the campaign's time, read like a chart: dates along the bottom (the campaign's start, today,
    /// its end or the last day with gifts), amounts in the campaign's currency up the side on a few round steps, the goal
    /// as a labelled dashed line when it is near enough to be seen, and today marked. Text is sized in the viewBox so it
    /// stays readable when the chart shrinks to a phone's width. Empty when there is no data; the table beside it is the
    /// text alternative, and the title says the same in one sentence.
    /// </summary>
    public static string Chart(CampaignSummary c, DateTime nowUtc, int width = 640, int height = 300)
    {
        var days = c.Totals.Daily ?? [];
        if (days.Count == 0) return "";
        const int left = 132, right = 16, top = 20, bottom = 48;
        string M(long minor) => E(Money.Format(minor, c.Currency, c.CurrencyExponent));

        // Time: from the campaign's start (or its first gift, if earlier) to today while it runs, else to its end.
        var today = DateOnly.FromDateTime(nowUtc);
        var first = DateOnly.FromDateTime(c.StartsUtc) is var start && start < days[0].Date ? start : days[0].Date;
        var last = new[] { days[^1].Date, today < DateOnly.FromDateTime(c.EndsUtc) ? today : DateOnly.FromDateTime(c.EndsUtc) }.Max();
        if (last <= first) last = first.AddDays(1);
        var span = last.DayNumber - first.DayNumber;
        double X(DateOnly d) => left + (double)(d.DayNumber - first.DayNumber) / span * (width - left - right);

        // Amounts: round steps up to the highest point, or the goal when it is near enough to draw.
        var highest = Math.Max(1, days.Max(d => d.Cumulative));
        var showGoal = c.Goal > 0 && c.Goal <= highest * 3 / 2;
        var step = NiceStep(Math.Max(highest, showGoal ? c.Goal : 0) / 4.0);
        var ceiling = step * (long)Math.Ceiling((double)Math.Max(highest, showGoal ? c.Goal : 0) / step);
        double Y(long v) => height - bottom - (double)Math.Max(0, v) / ceiling * (height - top - bottom);
        string F(double v) => v.ToString("0.#", Invariant);

        var svg = new StringBuilder();
        var summary = $"Raised over time: {Money.Format(days[^1].Cumulative, c.Currency, c.CurrencyExponent)} by {days[^1].Date:d MMM yyyy}, "
                      + $"{Words.Plural(days.Count, "day")} with gifts, against a goal of {Money.Format(c.Goal, c.Currency, c.CurrencyExponent)}.";
        svg.Append($"""<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title" font-size="22" font-family="system-ui, sans-serif">""");
        svg.Append($"""<title id="chart-title">{E(summary)}</title>""");
        for (var v = 0L; v <= ceiling; v += step) // gridlines with their amounts
        {
            svg.Append($"""<line x1="{left}" x2="{width - right}" y1="{F(Y(v))}" y2="{F(Y(v))}" stroke="#d6dbe1" />""");
            svg.Append($"""<text class="y-label" x="{left - 8}" y="{F(Y(v) + 7)}" text-anchor="end" fill="#4a5360">{M(v)}</text>""");
        }
        // The running total as steps: flat between days with gifts, rising on each.
        var points = new List<string> { $"{F(X(first))},{F(Y(0))}" };
        var before = 0L;
        foreach (var d in days)
        {
            points.Add($"{F(X(d.Date))},{F(Y(before))}");
            points.Add($"{F(X(d.Date))},{F(Y(before = d.Cumulative))}");
        }
        points.Add($"{F(X(last))},{F(Y(days[^1].Cumulative))}");
        var line = string.Join(" ", points);
        svg.Append($"""<polygon points="{F(X(first))},{F(Y(0))} {line} {F(X(last))},{F(Y(0))}" fill="#cfe8da" />""");
        svg.Append($"""<polyline points="{line}" fill="none" stroke="#0b5d3b" stroke-width="3" />""");
        if (showGoal)
        {
            svg.Append($"""<line class="goal" x1="{left}" x2="{width - right}" y1="{F(Y(c.Goal))}" y2="{F(Y(c.Goal))}" stroke="#1b1f24" stroke-dasharray="8 6" stroke-width="2" />""");
            // On the left, where the running total has not yet climbed; under the line when it is the top gridline.
            var labelY = Y(c.Goal) - 8 < top + 22 ? Y(c.Goal) + 26 : Y(c.Goal) - 8;
            svg.Append($"""<text class="goal-label" x="{left + 8}" y="{F(labelY)}" text-anchor="start" fill="#1b1f24">Goal {M(c.Goal)}</text>""");
        }
        if (today >= first && today <= last)
        {
            var x = F(X(today));
            svg.Append($"""<line class="today" x1="{x}" x2="{x}" y1="{top}" y2="{height - bottom}" stroke="#7a4b00" stroke-dasharray="4 4" stroke-width="2" />""");
            svg.Append($"""<text class="today-label" x="{x}" y="{top + 18}" text-anchor="{(X(today) > width / 2.0 ? "end" : "start")}" dx="{(X(today) > width / 2.0 ? -6 : 6)}" fill="#7a4b00">Today</text>""");
        }
        // Dates along the bottom: the first and last, and the middle when there is room for it.
        svg.Append($"""<line x1="{left}" x2="{width - right}" y1="{height - bottom}" y2="{height - bottom}" stroke="#4a5360" />""");
        svg.Append($"""<text class="x-label" x="{left}" y="{height - 16}" text-anchor="start" fill="#4a5360">{first:d MMM}</text>""");
        if (span >= 4)
            svg.Append($"""<text class="x-label" x="{F(X(first.AddDays(span / 2)))}" y="{height - 16}" text-anchor="middle" fill="#4a5360">{first.AddDays(span / 2):d MMM}</text>""");
        svg.Append($"""<text class="x-label" x="{width - right}" y="{height - 16}" text-anchor="end" fill="#4a5360">{last:d MMM}</text>""");
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>A round step for the amount axis: 1, 2 or 5 times a power of ten (in minor units), at least <paramref name="rough"/>.</summary>
    private static long NiceStep(double rough)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(rough, 1))));
        var step = new[] { 1, 2, 5, 10 }.Select(m => m * magnitude).First(s => s >= rough);
        return Math.Max(1, (long)step);
    }

    /// <summary>The badge's height: a third line when the campaign counts its impact in things.</summary>
    public static int BadgeHeight(Impact? impact) => impact is null ? 56 : 76;

    /// <summary>"$119.49 raised of $10,000.00" over a progress bar, and "3 books so far" under it when counted: readable at small sizes.</summary>
    /// <param name="disclosure">The campaign's disclosure: the badge's title (what a pointer over it shows), so the terms travel with it.</param>
    public static string Badge(string name, long raised, long goal, string currency, int exponent, Impact? impact = null, string? disclosure = null)
    {
        var percent = Money.PercentOf(raised, goal);
        var english = CultureInfo.GetCultureInfo("en-US"); // one cacheable badge per campaign, whoever embeds it
        var raisedText = Money.Format(raised, currency, exponent, english);
        var goalText = Money.Format(goal, currency, exponent, english);
        var units = impact is null ? null : Words.ImpactSoFar(raised, impact, english);
        var label = $"{name}: {raisedText} raised of {goalText}" + (units is null ? "" : $", {units}");
        var height = BadgeHeight(impact);
        var barWidth = (int)Math.Round(236 * percent / 100.0);
        var svg = new StringBuilder();
        svg.Append($"""
            <svg xmlns="http://www.w3.org/2000/svg" width="260" height="{height}" viewBox="0 0 260 {height}" role="img" aria-label="{E(label)}">
              <title>{E(disclosure ?? label)}</title>
              <rect width="260" height="{height}" rx="8" fill="#ffffff" stroke="#d6dbe1" />
              <text x="12" y="22" font-family="system-ui, sans-serif" font-size="14" fill="#1b1f24"><tspan font-weight="700" fill="#074029">{E(raisedText)}</tspan> raised of {E(goalText)}</text>
              <rect x="12" y="32" width="236" height="12" rx="6" fill="#e4e8ec" />
              <rect x="12" y="32" width="{barWidth}" height="12" rx="6" fill="#0b5d3b" />
            """);
        if (units is not null)
            svg.Append($"""<text x="12" y="64" font-family="system-ui, sans-serif" font-size="13" fill="#4a5360">{E(units)}</text>""");
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
