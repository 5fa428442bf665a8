using System.Globalization;
using System.Text.RegularExpressions;

namespace CharityPromo.StripeDouble;

/// <summary>A parameter Stripe would refuse: answered 400 invalid_request_error naming it.</summary>
public sealed class ParamException(string param, string message, string code = "parameter_invalid") : Exception(message)
{
    public string Param { get; } = param;
    public string Code { get; } = code;
}

/// <summary>
/// Form-encoded parameters read as strictly as Stripe reads them: unknown names, repeated names, lists that are
/// not indexed from 0, booleans other than true/false and numbers that are not integers are all refused.
/// </summary>
public sealed partial class FormParams
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static FormParams Parse(string encoded)
    {
        var form = new FormParams();
        foreach (var pair in encoded.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(parts[0].Replace('+', ' '));
            var value = parts.Length == 2 ? Uri.UnescapeDataString(parts[1].Replace('+', ' ')) : "";
            if (!form._values.TryAdd(key, value)) throw new ParamException(key, $"Received the parameter {key} more than once.");
        }
        return form;
    }

    /// <summary>
    /// Refuses any name not in <paramref name="allowed"/>: "name", "name[*]" (a map), "name[#]" (an indexed list),
    /// "name[sub]", nested as deep as Stripe nests them ("line_items[#][price_data][currency]").
    /// </summary>
    public FormParams Allow(params string[] allowed)
    {
        var patterns = allowed.Select(Pattern).ToList();
        foreach (var key in _values.Keys)
            if (!patterns.Any(p => p.IsMatch(key))) throw new ParamException(key, $"Received unknown parameter: {key}", "parameter_unknown");
        return this;
    }

    private static Regex Pattern(string allowed) => new("^" + Regex.Escape(allowed)
        .Replace(@"\[\*]", @"\[[^\[\]]+]", StringComparison.Ordinal)
        .Replace(@"\[\#]", @"\[(0|[1-9][0-9]*)]", StringComparison.Ordinal) + "$");

    /// <summary>The objects of an indexed list ("line_items[0][quantity]" …), each with its own names ("quantity"), from 0 without gaps.</summary>
    public List<FormParams> Items(string name)
    {
        var items = new SortedDictionary<int, FormParams>();
        var item = new Regex("^" + Regex.Escape(name) + @"\[(0|[1-9][0-9]*)]\[([^\[\]]+)](.*)$");
        foreach (var (key, value) in _values)
            if (item.Match(key) is { Success: true } m)
            {
                var index = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                if (!items.TryGetValue(index, out var form)) items[index] = form = new FormParams();
                form._values[m.Groups[2].Value + m.Groups[3].Value] = value;
            }
        if (items.Keys.Select((index, i) => index != i).Any(gap => gap)) throw new ParamException(name, $"Invalid array: {name} must be indexed from 0 without gaps.");
        return [.. items.Values];
    }

    public IEnumerable<string> Keys => _values.Keys;

    public string? String(string name) => _values.GetValueOrDefault(name);

    public string Required(string name) =>
        _values.TryGetValue(name, out var value) && value.Length > 0 ? value : throw new ParamException(name, $"Missing required param: {name}.", "parameter_missing");

    public long? Long(string name)
    {
        if (!_values.TryGetValue(name, out var value)) return null;
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ParamException(name, $"Invalid integer: {value}");
    }

    public bool? Bool(string name)
    {
        if (!_values.TryGetValue(name, out var value)) return null;
        return value switch { "true" => true, "false" => false, _ => throw new ParamException(name, $"Invalid boolean: {value}") };
    }

    /// <summary>A map such as "metadata[key]", or nested: "payment_intent_data[metadata]".</summary>
    public Dictionary<string, string> Map(string name)
    {
        var map = new Dictionary<string, string>();
        var entry = new Regex("^" + Regex.Escape(name) + @"\[([^\[\]]+)]$");
        foreach (var (key, value) in _values)
            if (entry.Match(key) is { Success: true } m)
            {
                if (m.Groups[1].Value.Length > 40) throw new ParamException(key, "Metadata keys can be at most 40 characters.");
                if (value.Length > 500) throw new ParamException(key, "Metadata values can be at most 500 characters.");
                map[m.Groups[1].Value] = value;
            }
        return map;
    }

    public List<string> List(string name)
    {
        var items = _values.Select(kv => (Match: ListKey().Match(kv.Key), kv.Value)).Where(x => x.Match.Success && x.Match.Groups[1].Value == name)
            .Select(x => (Index: int.Parse(x.Match.Groups[2].Value, CultureInfo.InvariantCulture), x.Value)).OrderBy(x => x.Index).ToList();
        for (var i = 0; i < items.Count; i++)
            if (items[i].Index != i) throw new ParamException($"{name}[{items[i].Index}]", $"Invalid array: {name} must be indexed from 0 without gaps.");
        return items.Select(x => x.Value).ToList();
    }

    [GeneratedRegex(@"^([a-z_]+)\[(0|[1-9][0-9]*)\]$")]
    private static partial Regex ListKey();
}
