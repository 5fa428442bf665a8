using System.Text.Json;

namespace CharityPromo.Api.Tests.Contract;

/// <summary>Who sends a step's request: nobody, a key of one scope, or a key the API has never seen.</summary>
public enum Caller { Anonymous, Admin, Checkout, Finance, UnknownKey }

/// <summary>
/// One request of the contract journey (<see cref="ContractJourney"/>): which documented operation it calls and the
/// status the API must answer. Paths and bodies may hold <c>{name}</c>, a value an earlier step saved.
/// </summary>
public sealed record ContractStep(string Operation, HttpMethod Method, string Path, int Status)
{
    public Caller As { get; init; } = Caller.Anonymous;
    /// <summary>A key of this scope lacks the operation's: the pass also sends the request with it and expects a 403.</summary>
    public Caller? Forbidden { get; init; }
    public string? Body { get; init; }
    public string ContentType { get; init; } = "application/json";
    /// <summary>The document itself calls the request invalid: Prism must say so, and the API must refuse it too.</summary>
    public bool Invalid { get; init; }
    /// <summary>Signed as Stripe signs its webhooks, with the test double's secret.</summary>
    public bool StripeSigned { get; init; }
    /// <summary>Sent until the API answers <see cref="Status"/> (a rate limit), each answer checked.</summary>
    public int Repeat { get; init; } = 1;
    /// <summary>The client address the request says it comes from (X-Forwarded-For, which the API believes of Prism).</summary>
    public string? ForwardedFor { get; init; }
    /// <summary>Values of the JSON answer to remember for later steps: name → dotted path (<c>items.0.id</c>).</summary>
    public IReadOnlyDictionary<string, string> Saves { get; init; } = new Dictionary<string, string>();
    /// <summary>Not a request: something the journey does between requests (move the clock, finish Stripe's form).</summary>
    public Func<ContractPass, Task>? Action { get; init; }

    public ContractStep Save(string name, string path) => this with { Saves = new Dictionary<string, string>(Saves) { [name] = path } };

    public static ContractStep Get(string operation, string path, int status, Caller As = Caller.Anonymous) =>
        new(operation, HttpMethod.Get, path, status) { As = As };

    public static ContractStep Post(string operation, string path, int status, Caller As, object? body = null) =>
        new(operation, HttpMethod.Post, path, status) { As = As, Body = Json(body) };

    public static ContractStep Put(string operation, string path, int status, Caller As, object body) =>
        new(operation, HttpMethod.Put, path, status) { As = As, Body = Json(body) };

    public static ContractStep Delete(string operation, string path, int status, Caller As) =>
        new(operation, HttpMethod.Delete, path, status) { As = As };

    public static ContractStep Do(string what, Func<ContractPass, Task> action) =>
        new(what, HttpMethod.Get, "", 0) { Action = action };

    private static string? Json(object? body) => body switch
    {
        null => null,
        string json => json,
        _ => JsonSerializer.Serialize(body, JsonSerializerOptions.Web),
    };

    public override string ToString() => $"{Operation} ({Method} {Path} → {Status})";
}
