using System.Reflection;
using System.Text.Json.Nodes;
using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Purchases;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CharityPromo.Api.Infrastructure;

internal static partial class Swagger
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
                License = new OpenApiLicense { Name = "Proprietary" }, // its url is this server's /license, set per request
            });
            o.AddSecurityDefinition("Bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key created with `keys create`, scoped admin, checkout and/or finance.",
            });
            var xml = Path.Combine(AppContext.BaseDirectory, $"{Assembly.GetExecutingAssembly().GetName().Name}.xml");
            if (File.Exists(xml)) o.IncludeXmlComments(xml);
            // Public reads also answer HEAD (PublicCache); the document lists each once, as its GET.
            o.DocInclusionPredicate((document, api) => api.HttpMethod != HttpMethods.Head && (api.GroupName is null || api.GroupName == document));
            // The document says what the code sends and takes: `string?` and `Foo?` are nullable (a nullable $ref as
            // allOf + nullable), everything else is not; RequiredPropertiesSchemaFilter says which fields must be there.
            o.SupportNonNullableReferenceTypes();
            o.UseAllOfToExtendReferenceSchemas();
            o.OperationFilter<AccessAndIdempotencyOperationFilter>();
            o.SchemaFilter<RequiredPropertiesSchemaFilter>();
            o.ParameterFilter<AllowedValuesFilter>();
            o.SchemaFilter<AllowedValuesFilter>();
            o.SchemaFilter<ExamplesSchemaFilter>();
            o.SchemaFilter<ExactSchemaFilter>();
            o.DocumentFilter<TagsAndProblemsDocumentFilter>();
            o.DocumentFilter<Webhooks.WebhooksOpenApi>(); // before ReferencesDocumentFilter, which then sees the events' schemas too
            o.DocumentFilter<ReferencesDocumentFilter>();
        });
        return services;
    }

    /// <summary>
    /// Serves the document with the API's public address as its server (<see cref="PublicAddress"/>), or else this server's
    /// own, so a client generated from it, or "Try it out", talks to the API.
    /// </summary>
    public static IApplicationBuilder UseSwaggerDocs(this IApplicationBuilder app) => app.UseSwagger(o => o.PreSerializeFilters.Add((document, request) =>
    {
        var server = PublicAddress.Configured(request.HttpContext.RequestServices.GetRequiredService<IConfiguration>())
            ?? $"{request.Scheme}://{request.Host.Value}";
        document.Servers = [new OpenApiServer { Url = server, Description = "This CharityPromo API" }];
        document.Info.License!.Url = new Uri($"{server}/license");
    }));

    /// <summary>The terms the document's licence links to.</summary>
    public const string LicenseText = """
        CharityPromo API — proprietary software. Copyright CharityPromo. All rights reserved.
        The shop that runs this server may use it, and let its checkout systems, finance staff and integrators call
        this API and generate clients from its OpenAPI document, under its agreement with CharityPromo.
        """;

    public static void MapLicense(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/license", () => Results.Text(LicenseText)).AllowAnonymous().ExcludeFromDescription();

    /// <summary>
    /// What each tag (one a feature) is for: generated clients and the Swagger UI show it. And the plain ProblemDetails
    /// schema goes: every error now points at HttpValidationProblemDetails, so nothing uses it.
    /// </summary>
    private sealed class TagsAndProblemsDocumentFilter : IDocumentFilter
    {
        private static readonly Dictionary<string, string> Descriptions = new()
        {
            ["Admin"] = "Operating the API: the ledger's invariant check, the single writer's counters and the audit trail (admin keys).",
            ["Campaigns"] = "Promotions and their running totals: anonymous reads, admin writes.",
            ["Charities"] = "The charities campaigns give to: anonymous reads, admin writes.",
            ["Customers"] = "A shopper's right to be forgotten: their purchases unlinked from them, every figure kept (admin keys).",
            ["Pledges"] = "What a purchase would give, before anything is recorded (checkout keys).",
            ["Purchases"] = "Purchases that carry a pledge, paid through Stripe or elsewhere, and their refunds (checkout keys; Idempotency-Key on writes).",
            ["Receipts"] = "What one purchase gave, by the receipt code printed for the shopper: anonymous, nothing personal.",
            ["Remittances"] = "Batches that pay a charity what it is owed, and their statements (finance keys).",
            ["Reports"] = "Pledge exports (CSV or JSON), summaries, liability and reconciliation with Stripe (finance keys).",
            ["Stripe"] = "Stripe's webhook: signed events that move pledges from pending to confirmed, or reverse them.",
            ["Webhooks"] = "Signed event webhooks to integrators' receivers: register, rotate secrets, read the delivery log (admin keys).",
        };

        public void Apply(OpenApiDocument document, DocumentFilterContext context)
        {
            var used = document.Paths.Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()).SelectMany(o => o.Tags ?? new HashSet<OpenApiTagReference>())
                .Select(t => t.Name).Where(n => n is not null).Distinct();
            document.Tags = used.Order(StringComparer.Ordinal).Select(name => new OpenApiTag { Name = name, Description = Descriptions.GetValueOrDefault(name!) }).ToHashSet();
            document.Components?.Schemas?.Remove(nameof(Microsoft.AspNetCore.Mvc.ProblemDetails));
        }
    }

    /// <summary>Documents, per operation: the Bearer requirement with 401/403/429, and the Idempotency-Key header on writes.</summary>
    private sealed class AccessAndIdempotencyOperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
            var method = context.ApiDescription.HttpMethod ?? "GET";
            operation.Responses ??= new OpenApiResponses();

            // An anonymous operation says so: an empty requirement means "no credentials needed". One that shows a key's
            // holder more also lists the key, or a validating client or proxy calls the keyed request wrong.
            var bearer = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", context.Document)] = [] };
            if (metadata.OfType<IAllowAnonymous>().Any())
                operation.Security = metadata.OfType<OptionalKey>().Any() ? [new OpenApiSecurityRequirement(), bearer] : [new OpenApiSecurityRequirement()];
            else
            {
                operation.Security = [bearer];
                operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No API key, or an unknown or revoked one (problem details)." });
                operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The key lacks the scope this endpoint needs (problem details)." });
            }
            operation.Responses.TryAdd("429", new OpenApiResponse { Description = "Rate limit exceeded; see Retry-After (problem details)." });
            // Every error is a problem document that may name fields in `errors` (Problems builds them so): one schema for
            // all of them, so a generated client reads any error the same way.
            var problem = context.SchemaGenerator.GenerateSchema(typeof(HttpValidationProblemDetails), context.SchemaRepository);
            foreach (var (code, response) in operation.Responses.Where(r => string.CompareOrdinal(r.Key, "400") >= 0))
                if (response is OpenApiResponse concrete)
                    concrete.Content = new Dictionary<string, IOpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = problem } };

            if (metadata.OfType<CsvContent>().FirstOrDefault() is { } csv && operation.Responses.TryGetValue("200", out var ok) && ok is OpenApiResponse okResponse)
            {
                okResponse.Content ??= new Dictionary<string, IOpenApiMediaType>();
                if (csv.Only) okResponse.Content.Clear();
                okResponse.Content["text/csv"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } };
            }

            var writes = metadata.OfType<IdempotencyKeyRequired>().Any() || (method is "POST" or "PUT" or "DELETE" && !metadata.OfType<IAllowAnonymous>().Any()
                && !metadata.OfType<NotReplayed>().Any()
                && context.ApiDescription.RelativePath?.StartsWith("api/pledges") != true && context.ApiDescription.RelativePath?.StartsWith("api/admin") != true);
            if (writes)
            {
                operation.Parameters ??= [];
                var required = metadata.OfType<IdempotencyKeyRequired>().Any();
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = IdempotencyKeyFilter.HeaderName,
                    In = ParameterLocation.Header,
                    Required = required,
                    Description = "Unique per attempt at an operation (a UUID). A retry with the same key and body gets the first response again; the same key with another body is a 422."
                        + (required ? "" : " Optional here."),
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 255 },
                });
            }
        }
    }

    /// <summary>A write whose answer is never stored for replay (it shows a secret once): no Idempotency-Key documented.</summary>
    public sealed record NotReplayed;

    /// <summary>An anonymous endpoint that answers a key's holder more (an admin sees a charity's Stripe account).</summary>
    public sealed record OptionalKey;

    public static RouteHandlerBuilder AcceptsOptionalKey(this RouteHandlerBuilder endpoint) => endpoint.WithMetadata(new OptionalKey());

    /// <summary>How an endpoint's 200 can be CSV: <see cref="Only"/> CSV, or CSV as an alternative to its JSON.</summary>
    public sealed record CsvContent(bool Only);

    /// <summary>The 200 is a CSV file (RFC 4180, UTF-8): a generated client gets it as a stream.</summary>
    public static RouteHandlerBuilder ProducesCsv(this RouteHandlerBuilder endpoint) =>
        endpoint.Produces(StatusCodes.Status200OK, contentType: "text/csv").WithMetadata(new CsvContent(Only: true));

    /// <summary>The 200 is <typeparamref name="T"/> as JSON, or the same data as CSV with <c>format=csv</c>.</summary>
    public static RouteHandlerBuilder ProducesJsonOrCsv<T>(this RouteHandlerBuilder endpoint) =>
        endpoint.Produces<T>(StatusCodes.Status200OK).WithMetadata(new CsvContent(Only: false));

    /// <summary>Request and response examples from docs/CONTRACT.md, so "Try it out" starts from a working body.</summary>
    private sealed class ExamplesSchemaFilter : ISchemaFilter
    {
        private static readonly Dictionary<Type, string> Examples = new()
        {
            [typeof(CharityRequest)] = """{ "slug": "read-together", "name": "Read Together", "description": "Books and reading mentors for every child.", "website": "https://read-together.example", "registrationNumber": "1234567" }""",
            [typeof(CampaignRequest)] = """
                { "slug": "literacy-2026", "name": "Reading for every child", "description": "5% of every purchase goes to children's literacy.",
                  "currency": "usd", "goal": 1000000, "startsUtc": "2026-01-01T00:00:00Z", "endsUtc": "2027-01-01T00:00:00Z",
                  "charities": ["read-together"], "pledge": { "percentBps": 500, "fixedAmount": null, "capPerPurchase": 500 },
                  "roundUp": true, "addOn": true, "match": { "minPriorPurchases": 2, "percentBps": 10000, "budget": 50000 },
                  "impact": { "amount": 500, "singular": "book", "plural": "books" } }
                """,
            [typeof(QuoteRequest)] = """{ "campaign": "literacy-2026", "charity": "read-together", "currency": "usd", "amount": 4999, "roundUp": true, "addOn": 100, "customerRef": "c-123" }""",
            [typeof(PurchaseRequest)] = """
                { "campaign": "literacy-2026", "charity": "read-together", "orderId": "ORD-1001", "currency": "usd", "amount": 4999,
                  "roundUp": true, "addOn": 100, "customerRef": "c-123", "payment": { "method": "external", "reference": "POS-77" } }
                """,
            [typeof(DonationResponse)] = Donation,
            [typeof(PurchaseResponse)] = $$"""
                { "id": "0193a8f2-5d1e-7c3a-9b4e-2f6d8a1c0e57", "orderId": "ORD-1001", "receiptCode": "7KQ2-M9XD-4PWT", "status": "confirmed",
                  "campaign": "literacy-2026", "charity": "read-together", "currency": "usd", "amount": 4999,
                  "donation": {{Donation}}, "refunded": 0, "reversed": 0,
                  "payment": { "method": "external", "status": "succeeded", "reference": "POS-77", "amount": 5100,
                               "paymentIntentId": null, "clientSecret": null, "error": null, "disputeStatus": null, "checkoutSessionId": null, "url": null },
                  "createdUtc": "2026-06-01T12:00:00Z", "confirmedUtc": "2026-06-01T12:00:00Z" }
                """,
        };

        /// <summary>The contract's worked example: 4999 usd at 5% capped at 500, rounded up, with a 100 add-on.</summary>
        private const string Donation = """{ "currency": "usd", "merchantPledge": 250, "match": 0, "roundUp": 1, "addOn": 100, "total": 351 }""";

        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (schema is OpenApiSchema concrete && Examples.TryGetValue(context.Type, out var json))
                concrete.Examples = [JsonNode.Parse(json)!];
        }
    }
}
