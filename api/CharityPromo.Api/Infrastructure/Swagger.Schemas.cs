using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CharityPromo.Api.Infrastructure;

/// <summary>What the document says about values: which fields must be there, which may be null, which strings are enums.</summary>
internal static partial class Swagger
{
    /// <summary>
    /// Which fields must be there. An answer always carries every property (null when it has no value) except those the
    /// code leaves out when null, so a generated client need not guard against a missing field. A request
    /// (<c>…Request</c>) must carry its non-nullable strings, lists and objects: the validators refuse them missing. Its
    /// numbers and flags may be left out (they default), so the document does not require them.
    /// </summary>
    private sealed class RequiredPropertiesSchemaFilter : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (schema is not OpenApiSchema { Properties.Count: > 0 } concrete || context.Type.Assembly != typeof(Swagger).Assembly) return;
            var nullability = new NullabilityInfoContext(); // not thread-safe: one per call
            var request = context.Type.Name.EndsWith("Request", StringComparison.Ordinal);
            var required = context.Type.GetProperties().Where(p => request
                    ? !p.PropertyType.IsValueType && nullability.Create(p).ReadState == NullabilityState.NotNull
                    : p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>()?.Condition != System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)
                .Select(p => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.Name));
            concrete.Required = concrete.Properties.Keys.Intersect(required).ToHashSet();
        }
    }

    /// <summary>
    /// A parameter's or property's <see cref="System.ComponentModel.DataAnnotations.AllowedValuesAttribute"/> as its
    /// enum. Request bodies carry none: an NSwag System.Text.Json client writes an enum member by its C# name
    /// ("External", not "external"), which the API refuses; query parameters and answers are safe.
    /// </summary>
    private sealed class AllowedValuesFilter : IParameterFilter, ISchemaFilter
    {
        public void Apply(IOpenApiParameter parameter, ParameterFilterContext context) =>
            Apply(parameter.Schema, context.ParameterInfo?.GetCustomAttribute<System.ComponentModel.DataAnnotations.AllowedValuesAttribute>());

        public void Apply(IOpenApiSchema schema, SchemaFilterContext context) =>
            Apply(schema, context.MemberInfo?.GetCustomAttribute<System.ComponentModel.DataAnnotations.AllowedValuesAttribute>());

        private static void Apply(IOpenApiSchema? schema, System.ComponentModel.DataAnnotations.AllowedValuesAttribute? allowed)
        {
            if (allowed is not null && schema is OpenApiSchema concrete)
                concrete.Enum = allowed.Values.Select(value => (JsonNode)JsonValue.Create(value?.ToString())!).ToList();
        }
    }

    /// <summary>
    /// Nullable references, in a form validators read as OpenAPI 3.0 means it. A property that may be null arrives
    /// as <c>allOf: [$ref]</c> + <c>nullable</c>, which a strict validator rejects for null (null must still match the
    /// allOf). A schema only ever referenced where null is allowed (ImpactResponse, say) is nullable itself, and its
    /// references go back to a plain <c>$ref</c>, as do the wrappers that only carry a description (the referenced
    /// schema describes itself; tools that walk the document follow a plain <c>$ref</c>).
    /// </summary>
    private sealed class ReferencesDocumentFilter : IDocumentFilter
    {
        public void Apply(OpenApiDocument document, DocumentFilterContext context)
        {
            var components = document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>();
            var media = document.Paths.Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>())
                .SelectMany(o => (o.RequestBody?.Content?.Values ?? Enumerable.Empty<IOpenApiMediaType>())
                    .Concat((o.Responses?.Values ?? Enumerable.Empty<IOpenApiResponse>()).SelectMany(r => r.Content?.Values ?? Enumerable.Empty<IOpenApiMediaType>())))
                .OfType<OpenApiMediaType>().ToList();
            var all = components.Values.Concat(media.Select(m => m.Schema)).SelectMany(Descendants).ToList();
            var maybeNull = all.Select(NullableTarget).OfType<string>().ToHashSet();
            var neverNull = all.OfType<OpenApiSchemaReference>().Select(r => r.Reference.Id).OfType<string>().ToHashSet();
            var nullableComponents = maybeNull.Except(neverNull).ToHashSet();
            foreach (var id in nullableComponents)
                if (components[id] is OpenApiSchema component) component.Type |= JsonSchemaType.Null;

            foreach (var schema in components.Values) Unwrap(schema, nullableComponents);
            foreach (var content in media) content.Schema = Unwrap(content.Schema, nullableComponents);
        }

        /// <summary>The component a nullable <c>allOf: [$ref]</c> wrapper points at.</summary>
        private static string? NullableTarget(IOpenApiSchema schema) =>
            schema is OpenApiSchema { AllOf: [OpenApiSchemaReference reference] } wrapper && wrapper.Type?.HasFlag(JsonSchemaType.Null) == true ? reference.Reference.Id : null;

        /// <summary>The schema and those inside it, but not a nullable wrapper's reference (that one may be null).</summary>
        private static IEnumerable<IOpenApiSchema> Descendants(IOpenApiSchema? schema)
        {
            if (schema is null) yield break;
            yield return schema;
            if (schema is not OpenApiSchema concrete || NullableTarget(concrete) is not null) yield break;
            var inside = (concrete.Properties?.Values ?? Enumerable.Empty<IOpenApiSchema>()).Concat(concrete.AllOf ?? []).Concat(concrete.OneOf ?? []).Concat(concrete.AnyOf ?? [])
                .Append(concrete.Items).Append(concrete.AdditionalProperties);
            foreach (var child in inside.SelectMany(Descendants)) yield return child;
        }

        private static IOpenApiSchema? Unwrap(IOpenApiSchema? schema, HashSet<string> nullableComponents)
        {
            if (schema is not OpenApiSchema concrete) return schema;
            if (concrete.Properties is { } properties)
                foreach (var name in properties.Keys.ToList()) properties[name] = Unwrap(properties[name], nullableComponents)!;
            if (concrete.Items is not null) concrete.Items = Unwrap(concrete.Items, nullableComponents);
            if (concrete.AllOf is not [OpenApiSchemaReference reference]) return concrete;
            if (reference.Reference.Id is { } id && nullableComponents.Contains(id)) concrete.Type = null;
            return concrete.Type is null ? reference : concrete;
        }
    }
}
