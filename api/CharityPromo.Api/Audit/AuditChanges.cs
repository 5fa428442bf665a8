using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace CharityPromo.Api.Audit;

/// <summary>A field's value before and after a change, as text; null where there was none (before a creation, after a deletion).</summary>
public sealed record AuditChange(string? Before, string? After);

/// <summary>The fields a change touched, by their API name, in the order they were added.</summary>
internal sealed class AuditChanges : Dictionary<string, AuditChange>
{
    /// <summary>Timestamps every row carries, and keys: they say nothing an entry's own time and subject do not.</summary>
    private static readonly HashSet<string> Unrecorded = ["Id", "CreatedUtc", "UpdatedUtc"];

    /// <summary>Adds the field when its value changed.</summary>
    public AuditChanges Set(string field, object? before, object? after)
    {
        var (was, now) = (Text(before), Text(after));
        if (was != now) this[field] = new AuditChange(was, now);
        return this;
    }

    /// <summary>What a tracked entity's pending save changes: every field of a new one, the modified fields of an existing one.</summary>
    public static AuditChanges Of(EntityEntry entry)
    {
        var changes = new AuditChanges();
        entry.DetectChanges();
        foreach (var property in entry.Properties)
        {
            var name = property.Metadata.Name;
            if (Unrecorded.Contains(name) || property.Metadata.IsForeignKey()) continue;
            if (entry.State == EntityState.Added) changes.Set(Field(name), null, property.CurrentValue);
            else if (property.IsModified) changes.Set(Field(name), property.OriginalValue, property.CurrentValue);
        }
        return changes;
    }

    public static string Field(string property) => JsonNamingPolicy.CamelCase.ConvertName(property);

    /// <summary>Invariant text: ISO 8601 UTC times, lower-case enums and booleans, integers as they are (minor units).</summary>
    public static string? Text(object? value) => value switch
    {
        null => null,
        string text => text,
        DateTime at => DateTime.SpecifyKind(at, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        DateTimeOffset at => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        Enum named => JsonNamingPolicy.SnakeCaseLower.ConvertName(named.ToString()),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    public string ToJson() => JsonSerializer.Serialize(this, AuditJson.Options);

    public static AuditChanges FromJson(string json) => JsonSerializer.Deserialize<AuditChanges>(json, AuditJson.Options) ?? [];
}

internal static class AuditJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
