using System.Collections;
using System.Globalization;
using System.Text;

namespace CharityPromo.Api.Payments.Stripe;

/// <summary>
/// Stripe's request encoding: application/x-www-form-urlencoded with nested keys in brackets
/// (<c>metadata[purchase_id]</c>, <c>automatic_payment_methods[enabled]</c>), lists indexed (<c>expand[0]</c>),
/// booleans lowercase, numbers invariant, nulls left out.
/// </summary>
internal static class StripeForm
{
    public static List<KeyValuePair<string, string>> Flatten(IReadOnlyDictionary<string, object?> parameters)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in parameters) Add(pairs, key, value);
        return pairs;
    }

    public static string Encode(IReadOnlyDictionary<string, object?> parameters)
    {
        var body = new StringBuilder();
        foreach (var (key, value) in Flatten(parameters))
        {
            if (body.Length > 0) body.Append('&');
            body.Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value));
        }
        return body.ToString();
    }

    private static void Add(List<KeyValuePair<string, string>> pairs, string key, object? value)
    {
        switch (value)
        {
            case null:
                return;
            case string s:
                pairs.Add(new(key, s));
                return;
            case bool b:
                pairs.Add(new(key, b ? "true" : "false"));
                return;
            case IFormattable number:
                pairs.Add(new(key, number.ToString(null, CultureInfo.InvariantCulture)));
                return;
            case IEnumerable<KeyValuePair<string, string>> map:
                foreach (var (k, v) in map) Add(pairs, $"{key}[{k}]", v);
                return;
            case IEnumerable<KeyValuePair<string, object?>> nested:
                foreach (var (k, v) in nested) Add(pairs, $"{key}[{k}]", v);
                return;
            case IEnumerable list:
                var i = 0;
                foreach (var item in list) Add(pairs, $"{key}[{i++}]", item);
                return;
            default:
                throw new ArgumentException($"Cannot form-encode {value.GetType().Name} for '{key}'.", nameof(value));
        }
    }
}
