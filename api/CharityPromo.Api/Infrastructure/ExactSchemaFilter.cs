using System.Reflection;
using System.Text.Json;
using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Remittances;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CharityPromo.Api.Infrastructure;

/// <summary>
/// For these response types the schema says what the code guarantees: every property is always present (required),
/// and only those declared nullable may be null. Swashbuckle alone marks every string nullable and none required,
/// which a contract check (Prism) cannot hold an answer to.
/// </summary>
internal sealed class ExactSchemaFilter : ISchemaFilter
{
    private static readonly HashSet<Type> Exact =
        [typeof(CharityPaymentsResponse), typeof(CharityPaymentTotals), typeof(CharityPayment), typeof(CharityRefResponse)];

    private static readonly NullabilityInfoContext Nullability = new();

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (!Exact.Contains(context.Type) || schema is not OpenApiSchema concrete || concrete.Properties is null) return;
        concrete.Required = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in context.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            if (!concrete.Properties.TryGetValue(name, out var propertySchema)) continue;
            concrete.Required.Add(name);
            var nullable = Nullability.Create(property).ReadState == NullabilityState.Nullable;
            if (propertySchema is OpenApiSchema inline && inline.Type is { } type)
                inline.Type = nullable ? type | JsonSchemaType.Null : type & ~JsonSchemaType.Null;
        }
    }
}
