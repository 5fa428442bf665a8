using System.Text.RegularExpressions;

namespace CharityPromo.StripeDouble;

/// <summary>
/// The part of Stripe's search query language the double understands: <c>metadata['key']:'value'</c> clauses
/// joined by AND. Anything else is a 400 naming <c>query</c>, so a client cannot lean on a search the double fakes.
/// </summary>
public static partial class SearchQuery
{
    public static Dictionary<string, string> Metadata(string query)
    {
        var clauses = query.Split(" AND ", StringSplitOptions.TrimEntries);
        var found = new Dictionary<string, string>();
        foreach (var clause in clauses)
        {
            var match = MetadataClause().Match(clause);
            if (!match.Success) throw new ParamException("query", $"The double only searches metadata['key']:'value' clauses; got: {clause}");
            found[match.Groups[1].Value] = match.Groups[2].Value;
        }
        return found;
    }

    [GeneratedRegex(@"\Ametadata\['([^']+)'\]:'([^']*)'\z")]
    private static partial Regex MetadataClause();
}

/// <summary>Stripe's search result page.</summary>
public sealed class SearchResultObject<T>
{
    public string Object => "search_result";
    public required List<T> Data { get; init; }
    public bool HasMore => false;
    public string? NextPage => null;
    public required string Url { get; init; }
}
