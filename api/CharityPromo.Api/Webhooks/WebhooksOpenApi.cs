using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CharityPromo.Api.Webhooks;

/// <summary>
/// Documents every event the API sends, as OpenAPI's <c>webhooks</c>: one POST per event type, its body an envelope
/// schema (<c>PurchaseEvent</c>, <c>RemittanceEvent</c>, <c>CampaignEvent</c>) whose <c>data.object</c> is the GET's own
/// response schema. The document is OpenAPI 3.0, which has no <c>webhooks</c> field, so they go under
/// <c>x-webhooks</c>, the extension Redocly reads as 3.1's <c>webhooks</c> in a 3.0 document; the envelope schemas are
/// ordinary components, so generated clients can read an event's body too.
/// </summary>
internal sealed class WebhooksOpenApi : IDocumentFilter
{
    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var webhooks = new JsonObject();
        foreach (var group in WebhookEventTypes.List.GroupBy(t => t.ObjectType))
        {
            var objectName = group.Key.Name.Replace("Response", "", StringComparison.Ordinal);
            var envelope = $"{objectName}Event";
            context.SchemaGenerator.GenerateSchema(group.Key, context.SchemaRepository);
            document.Components!.Schemas![envelope] = Envelope(group.Select(t => t.Name), new OpenApiSchemaReference(group.Key.Name, document), objectName);
            foreach (var type in group)
                webhooks[type.Name] = new JsonObject { ["post"] = Operation(type, envelope) };
        }
        document.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        document.Extensions["x-webhooks"] = new JsonNodeExtension(webhooks);
    }

    private static OpenApiSchema Envelope(IEnumerable<string> types, IOpenApiSchema obj, string objectName) => new()
    {
        Type = JsonSchemaType.Object,
        Description = $"An event about a {objectName.ToLowerInvariant()}, as POSTed to a webhook endpoint.",
        Required = new HashSet<string> { "id", "type", "created", "data" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["id"] = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^evt_[0-9a-f]{32}$", Description = "The event's id: the same in every delivery of it, to drop duplicates by." },
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = types.Select(t => (JsonNode)JsonValue.Create(t)).ToList() },
            ["created"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Description = "When it happened, in Unix seconds." },
            ["data"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "object" },
                Properties = new Dictionary<string, IOpenApiSchema> { ["object"] = obj },
                Description = $"`object`: the {objectName.ToLowerInvariant()} exactly as its GET returns it, as it was when the event happened.",
            },
        },
    };

    private static JsonObject Operation(WebhookEventType type, string envelope) => new()
    {
        ["operationId"] = "webhook_" + type.Name.Replace('.', '_'),
        ["summary"] = type.Name,
        ["description"] = type.Description + " Signed with `CharityPromo-Signature`; delivered at least once, in no guaranteed order.",
        ["tags"] = new JsonArray("Webhooks"),
        ["security"] = new JsonArray(new JsonObject()),
        ["parameters"] = new JsonArray(new JsonObject
        {
            ["name"] = WebhookSignature.Header,
            ["in"] = "header",
            ["required"] = true,
            ["description"] = "`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + \".\" + body)>`; a second `v1` while a rotated-out secret still signs.",
            ["schema"] = new JsonObject { ["type"] = "string" },
        }),
        ["requestBody"] = new JsonObject
        {
            ["required"] = true,
            ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = $"#/components/schemas/{envelope}" } } },
        },
        ["responses"] = new JsonObject
        {
            ["200"] = new JsonObject { ["description"] = "Any 2xx: delivered." },
            ["400"] = new JsonObject { ["description"] = "Any other answer, or none within 10 s: sent again later, with backoff, for 3 days." },
        },
    };
}
