using System.Text.Json;
using System.Text.Json.Serialization;

namespace CharityPromo.Api.Infrastructure;

/// <summary>
/// Every string read from a request body is plain text: control characters (U+0000–U+001F but tab, line feed and
/// carriage return; U+007F–U+009F) are refused with a 400 naming the field. PostgreSQL cannot store U+0000 at all,
/// and none of them belongs in an order id, a name or a reference.
/// </summary>
internal sealed class PlainTextConverter : JsonConverter<string>
{
    public const string Refusal = "control characters";

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException("Expected a string.");
        var text = reader.GetString()!;
        return HasControlCharacters(text) ? throw new JsonException(Refusal) : text;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public static bool HasControlCharacters(string? text)
    {
        foreach (var c in text ?? "")
            if ((c < '\u0020' && c is not ('\t' or '\n' or '\r')) || c is >= '\u007f' and <= '\u009f') return true;
        return false;
    }
}
