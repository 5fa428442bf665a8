using CharityPromo.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CharityPromo.Api.Reports;

/// <summary>The <c>from</c> and <c>to</c> of a report: within years the data can hold, and in order.</summary>
internal static class ReportPeriod
{
    public static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Latest = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>What is wrong with the period, by field; empty when it is fine.</summary>
    public static Dictionary<string, string[]> Errors(DateTimeOffset? from, DateTimeOffset? to)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var (field, at) in new[] { ("from", from), ("to", to) })
            if (at is { } value && (value < Earliest || value > Latest))
                errors[field] = [$"'{field}' must be between {Earliest:yyyy-MM-dd} and {Latest:yyyy-MM-dd} (UTC)."];
        if (errors.Count == 0 && from is not null && to is not null && from >= to) errors["to"] = ["'to' must be after 'from'."];
        return errors;
    }

    public static ValidationProblem? Check(DateTimeOffset? from, DateTimeOffset? to) =>
        Errors(from, to) is { Count: > 0 } errors ? Problems.Invalid(errors) : null;
}
