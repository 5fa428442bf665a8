using System.Reflection;
using System.Text.Json.Nodes;
using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Purchases;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CharityPromo.Api.Infrastructure;

internal static class Swagger
{
    public static IServiceCollection AddSwaggerDocs(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "CharityPromo API",
                Version = "v1",
                Description = "Cause-marketing promotions: campaigns, purchases that carry charity pledges, exact running totals. "
                    + "Amounts are integers in the currency's minor units; currencies are lowercase ISO 4217 codes. "
                    + "Errors are RFC 9457 problem details. Authenticate with 'Authorization: Bearer <api key>'.",
            });
            o.AddSecurityDefinition("Bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key created with `keys create`, scoped admin, checkout and/or finance.",
            });
            var xml = Path.Combine(AppContext.BaseDirectory, $"{Assembly.GetExecutingAssembly().GetName().Name}.xml");
            if (File.Exists(xml)) o.IncludeXmlComments(xml);
            o.OperationFilter<AccessAndIdempotencyOperationFilter>();
            o.SchemaFilter<ExamplesSchemaFilter>();
        });
        return services;
    }

    /// <summary>Documents, per operation: the Bearer requirement with 401/403/429, and the Idempotency-Key header on writes.</summary>
    private sealed class AccessAndIdempotencyOperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
            var method = context.ApiDescription.HttpMethod ?? "GET";
            operation.Responses ??= new OpenApiResponses();

            if (!metadata.OfType<IAllowAnonymous>().Any())
            {
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", context.Document)] = [] }];
                operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No API key, or an unknown or revoked one (problem details)." });
                operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The key lacks the scope this endpoint needs (problem details)." });
            }
            operation.Responses.TryAdd("429", new OpenApiResponse { Description = "Rate limit exceeded; see Retry-After (problem details)." });

            var writes = metadata.OfType<IdempotencyKeyRequired>().Any() || (method is "POST" or "PUT" or "DELETE" && !metadata.OfType<IAllowAnonymous>().Any()
                && context.ApiDescription.RelativePath?.StartsWith("api/pledges") != true && context.ApiDescription.RelativePath?.StartsWith("api/admin") != true);
            if (writes)
            {
                operation.Parameters ??= [];
                var required = metadata.OfType<IdempotencyKeyRequired>().Any();
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = WriteFilter.HeaderName,
                    In = ParameterLocation.Header,
                    Required = required,
                    Description = "Unique per attempt at an operation (a UUID). A retry with the same key and body gets the first response again; the same key with another body is a 422."
                        + (required ? "" : " Optional here."),
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 255 },
                });
            }
        }
    }

    /// <summary>Request examples from API-CONTRACT.md, so "Try it out" starts from a working body.</summary>
    private sealed class ExamplesSchemaFilter : ISchemaFilter
    {
        private static readonly Dictionary<Type, string> Examples = new()
        {
            [typeof(CharityRequest)] = """{ "slug": "read-together", "name": "Read Together", "description": "Books and reading mentors for every child.", "website": "https://read-together.example", "registrationNumber": "1234567" }""",
            [typeof(CampaignRequest)] = """
                { "slug": "literacy-2026", "name": "Reading for every child", "description": "5% of every purchase goes to children's literacy.",
                  "currency": "usd", "goal": 1000000, "startsUtc": "2026-01-01T00:00:00Z", "endsUtc": "2027-01-01T00:00:00Z",
                  "charities": ["read-together"], "pledge": { "percentBps": 500, "fixedAmount": null, "capPerPurchase": 500 },
                  "roundUp": true, "addOn": true, "match": { "minPriorPurchases": 2, "percentBps": 10000, "budget": 50000 } }
                """,
            [typeof(QuoteRequest)] = """{ "campaign": "literacy-2026", "charity": "read-together", "currency": "usd", "amount": 4999, "roundUp": true, "addOn": 100, "customerRef": "c-123" }""",
            [typeof(PurchaseRequest)] = """
                { "campaign": "literacy-2026", "charity": "read-together", "orderId": "ORD-1001", "currency": "usd", "amount": 4999,
                  "roundUp": true, "addOn": 100, "customerRef": "c-123", "payment": { "method": "external", "reference": "POS-77" } }
                """,
        };

        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (schema is OpenApiSchema concrete && Examples.TryGetValue(context.Type, out var json))
                concrete.Examples = [JsonNode.Parse(json)!];
        }
    }
}
