using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using Shouldly;

namespace CharityPromo.Testing;

/// <summary>Small helpers for talking JSON to the API and reading its answers.</summary>
public static class Api
{
    public static async Task<HttpResponseMessage> PostJson(this HttpClient client, string path, object body, string? idempotencyKey = null)
    {
        var json = body as string ?? JsonSerializer.Serialize(body, JsonSerializerOptions.Web);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> PutJson(this HttpClient client, string path, object body)
    {
        var json = body as string ?? JsonSerializer.Serialize(body, JsonSerializerOptions.Web);
        return await client.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
    }

    public static async Task<JsonNode> Json(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("Empty body");

    /// <summary>Asserts the status and returns the parsed body, showing the body when the status is wrong.</summary>
    public static async Task<JsonNode> Expect(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, text);
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    /// <summary>Asserts an RFC 9457 problem with this status that names <paramref name="field"/> in its errors.</summary>
    public static async Task<JsonNode> ExpectProblem(this HttpResponseMessage response, HttpStatusCode status, string? field = null)
    {
        var body = await response.Expect(status);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        body["status"]!.GetValue<int>().ShouldBe((int)status);
        body["title"].ShouldNotBeNull();
        if (field is not null)
        {
            var errors = body["errors"]?.AsObject();
            errors.ShouldNotBeNull($"problem has no errors: {body.ToJsonString()}");
            errors.Select(e => e.Key).ShouldContain(field, body.ToJsonString());
        }
        return body;
    }

    public static long Long(this JsonNode node, string path)
    {
        JsonNode? current = node;
        foreach (var part in path.Split('.')) current = current?[part];
        return current?.GetValue<long>() ?? throw new InvalidOperationException($"No '{path}' in {node.ToJsonString()}");
    }

    public static string Str(this JsonNode node, string path)
    {
        JsonNode? current = node;
        foreach (var part in path.Split('.')) current = current?[part];
        return current?.GetValue<string>() ?? throw new InvalidOperationException($"No '{path}' in {node.ToJsonString()}");
    }
}
