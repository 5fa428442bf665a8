using System.Text.Json;
using System.Text.Json.Serialization;

namespace CharityPromo.Api.Infrastructure;

/// <summary>The API's JSON, one definition: what endpoints read and answer, and what webhook events carry.</summary>
internal static class ApiJson
{
    /// <summary>The same options the endpoints use, for JSON written outside a request (webhook payloads).</summary>
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions o)
    {
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        o.NumberHandling = JsonNumberHandling.Strict; // "4999" is not an amount
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow; // a typo'd field must not be ignored silently
        // {"amount":1000,"Amount":99999999} names one field twice (names match case-insensitively): refused, not last-wins.
        o.AllowDuplicateProperties = false;
        o.Converters.Add(new PlainTextConverter());
        return o;
    }
}
