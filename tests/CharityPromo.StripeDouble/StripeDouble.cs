using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CharityPromo.StripeDouble;

/// <summary>What the next request gets instead of (or after) being handled.</summary>
/// <param name="Status">An error status to answer without handling the request.</param>
/// <param name="ShouldRetry">Sent as <c>Stripe-Should-Retry</c> when set.</param>
/// <param name="Delay">Hold the answer this long (longer than the client's timeout: a timeout).</param>
/// <param name="AfterHandling">Handle the request first, then fail: the client never hears that it worked.</param>
/// <param name="Method">Only requests with this method (and <paramref name="Path"/>) get the fault; others pass.</param>
/// <param name="Path">Only requests to this path get the fault.</param>
public sealed record Fault(int Status = 500, bool? ShouldRetry = null, TimeSpan? Delay = null, bool AfterHandling = false, string Method = "POST", string? Path = null)
{
    /// <summary>
    /// Like Stripe, a 500 raised while a keyed write was executing is the result stored under its idempotency key:
    /// every retry with that key gets the same 500 (for 24 hours, at Stripe). Errors from in front of the API (502,
    /// 503, 429) and answers lost to a client timeout (<see cref="Delay"/>) store nothing of their own.
    /// </summary>
    public bool StoredUnderKey => Status == 500 && Delay is null;
}

/// <param name="IdempotencyKey">The request's Idempotency-Key header.</param>
/// <param name="StripeVersion">The request's Stripe-Version header.</param>
public sealed record RecordedRequest(string Method, string Path, string? IdempotencyKey, string? StripeVersion, string Body);

/// <summary>
/// The Stripe API subset CharityPromo uses, on Kestrel at 127.0.0.1, in Stripe.net's pinned API version:
/// PaymentIntents (create, retrieve, confirm, cancel, search by metadata), refunds (create, list), events (list).
/// Test payment methods behave as in Stripe's test mode, idempotency keys are enforced as Stripe enforces them
/// (<see cref="IdempotencyLayer"/>), parameters are read strictly, faults can be injected, and events go to a
/// webhook URL signed with the configured secrets.
/// </summary>
public sealed class StripeDouble : IAsyncDisposable
{
    /// <summary>The version Stripe.net 53 pins: the double answers only requests that ask for it, as its objects are that version's.</summary>
    public const string ApiVersion = "2026-10-28.endive";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private readonly WebApplication _app;
    /// <summary>Stripe's idempotency layer: where keyed writes execute.</summary>
    public IdempotencyLayer Idempotency { get; } = new();

    public StripeState State { get; }
    public Webhooks Webhooks { get; }
    private readonly List<Fault> _faults = [];
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();
    public string BaseUrl { get; private set; } = "";

    /// <summary>Queues a fault for the next matching request.</summary>
    public void FailNext(Fault fault, int times = 1)
    {
        lock (_faults) _faults.AddRange(Enumerable.Repeat(fault, times));
    }

    private StripeDouble(WebApplication app, TimeProvider clock)
    {
        _app = app;
        State = new StripeState(clock, ApiVersion);
        Webhooks = new Webhooks(new HttpClient { Timeout = TimeSpan.FromSeconds(30) }, clock);
        State.Raised += Webhooks.OnRaised;
        Map(app);
    }

    /// <summary>Starts the double on <paramref name="url"/> (default: a free port on 127.0.0.1).</summary>
    public static async Task<StripeDouble> StartAsync(TimeProvider? clock = null, string url = "http://127.0.0.1:0")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var stripe = new StripeDouble(builder.Build(), clock ?? TimeProvider.System);
        await stripe._app.StartAsync();
        stripe.BaseUrl = stripe._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return stripe;
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    /// <summary>PaymentIntents created so far (a retry that Stripe answered from its idempotency store adds none).</summary>
    public int IntentCount => State.Locked(_ => State.Intents.Count);

    private void Map(WebApplication app)
    {
        app.MapPost("/v1/payment_intents", (HttpContext http) => Handle(http, form =>
        {
            form.Allow("amount", "currency", "metadata[*]", "description", "payment_method", "confirm", "automatic_payment_methods[enabled]",
                "automatic_payment_methods[allow_redirects]", "expand[#]");
            form.List("expand");
            var currency = form.Required("currency");
            if (currency.Length != 3 || currency.Any(c => c is < 'a' or > 'z')) throw new ParamException("currency", $"Invalid currency: {currency}");
            form.Bool("automatic_payment_methods[enabled]");
            if (form.String("automatic_payment_methods[allow_redirects]") is { } redirects and not ("always" or "never"))
                throw new ParamException("automatic_payment_methods[allow_redirects]", $"Invalid automatic_payment_methods[allow_redirects]: must be one of always or never");
            var amount = form.Long("amount") ?? throw new ParamException("amount", "Missing required param: amount.", "parameter_missing");
            return State.CreateIntent(amount, currency, form.Map("metadata"), form.String("description"), form.String("payment_method"), form.Bool("confirm") ?? false);
        }));
        app.MapGet("/v1/payment_intents/search", (HttpContext http) => Handle(http, form =>
        {
            form.Allow("query", "limit", "page");
            var metadata = SearchQuery.Metadata(form.Required("query"));
            var limit = form.Long("limit") ?? 10;
            if (limit is < 1 or > 100) throw new ParamException("limit", "Invalid limit: must be between 1 and 100.");
            return State.Locked(_ => new SearchResultObject<PaymentIntentObject>
            {
                Data = State.Intents.Values.Where(i => metadata.All(m => i.Metadata.GetValueOrDefault(m.Key) == m.Value))
                    .OrderByDescending(i => i.Created).Take((int)limit).ToList(),
                Url = "/v1/payment_intents/search",
            });
        }));
        app.MapGet("/v1/payment_intents/{id}", (HttpContext http, string id) => Handle(http, form => State.Locked(_ => State.Intent((form.Allow("expand[#]"), id).id))));
        app.MapPost("/v1/payment_intents/{id}/confirm", (HttpContext http, string id) =>
            Handle(http, form => State.Confirm(id, form.Allow("payment_method", "expand[#]").String("payment_method"))));
        app.MapPost("/v1/payment_intents/{id}/cancel", (HttpContext http, string id) => Handle(http, form =>
        {
            if (form.Allow("cancellation_reason").String("cancellation_reason") is { } reason and not ("duplicate" or "fraudulent" or "requested_by_customer" or "abandoned"))
                throw new ParamException("cancellation_reason", $"Invalid cancellation_reason: {reason}");
            return State.Cancel(id);
        }));
        app.MapPost("/v1/refunds", (HttpContext http) => Handle(http, form =>
        {
            form.Allow("payment_intent", "amount", "metadata[*]", "reason");
            return State.Refund(form.Required("payment_intent"), form.Long("amount"), form.Map("metadata"));
        }));
        app.MapGet("/v1/refunds", (HttpContext http) => Handle(http, form =>
        {
            form.Allow("payment_intent", "limit", "starting_after");
            var intent = form.String("payment_intent");
            return State.Locked(_ => Page(State.Refunds.Where(r => intent is null || r.PaymentIntent == intent).Reverse().ToList(), r => r.Id, form, "/v1/refunds"));
        }));
        app.MapGet("/v1/events", (HttpContext http) => Handle(http, form =>
        {
            form.Allow("created[gte]", "types[#]", "type", "limit", "starting_after");
            var since = form.Long("created[gte]") ?? 0;
            var types = form.List("types");
            return State.Locked(_ => Page(State.Events.Where(e => e.Created >= since && (types.Count == 0 || types.Contains(e.Type))).Reverse().ToList(),
                e => e.Id, form, "/v1/events"));
        }));
    }

    /// <summary>Newest first, as Stripe lists; <c>limit</c> 1–100 (default 10), <c>starting_after</c> an id on the list.</summary>
    private static ListObject<T> Page<T>(List<T> newestFirst, Func<T, string> id, FormParams form, string url)
    {
        var limit = form.Long("limit") ?? 10;
        if (limit is < 1 or > 100) throw new ParamException("limit", "Invalid limit: must be between 1 and 100.");
        var start = 0;
        if (form.String("starting_after") is { } after)
        {
            start = newestFirst.FindIndex(x => id(x) == after) + 1;
            if (start == 0) throw new ParamException("starting_after", $"No such object: '{after}'", "resource_missing");
        }
        return new ListObject<T> { Data = newestFirst.Skip(start).Take((int)limit).ToList(), HasMore = newestFirst.Count > start + limit, Url = url };
    }

    private async Task Handle(HttpContext http, Func<FormParams, object> handler) => await (await RespondAsync(http, handler)).ExecuteAsync(http);

    private async Task<IResult> RespondAsync(HttpContext http, Func<FormParams, object> handler)
    {
        var request = http.Request;
        var body = HttpMethods.IsPost(request.Method) ? await new StreamReader(request.Body).ReadToEndAsync() : request.QueryString.Value?.TrimStart('?') ?? "";
        var key = request.Headers["Idempotency-Key"].FirstOrDefault();
        Requests.Enqueue(new RecordedRequest(request.Method, request.Path, key, request.Headers["Stripe-Version"].FirstOrDefault(), body));

        if (request.Headers.Authorization.FirstOrDefault() is not { } auth || !auth.StartsWith("Bearer sk_test_", StringComparison.Ordinal))
            return Error(401, new ErrorObject { Type = "invalid_request_error", Message = "Invalid API Key provided." });
        if (request.Headers["Stripe-Version"].FirstOrDefault() is { } version && version != ApiVersion)
            return Error(400, new ErrorObject
            {
                Type = "invalid_request_error", Code = "api_version_invalid",
                Message = $"This test double speaks Stripe API version {ApiVersion} only; the request asked for {version}.",
            });

        Fault? fault;
        lock (_faults)
        {
            fault = _faults.FirstOrDefault(f => f.Method == request.Method && (f.Path is null || f.Path == request.Path));
            if (fault is not null) _faults.Remove(fault);
        }
        var keyed = HttpMethods.IsPost(request.Method) && key is not null;
        // A fault of the network or of Stripe's edge sits in front of the idempotency layer: whatever the request did
        // stays stored. Only a 500 raised while a keyed write executes is its stored result.
        var inFront = fault is not null && (!keyed || !fault.StoredUnderKey);
        if (inFront && !fault!.AfterHandling) return await FailAsync(http, fault, "injected by the test double");
        var answer = keyed ? await Idempotency.ExecuteAsync((auth, key!), request.Path, body, () => Run(body, handler), inFront ? null : fault) : Run(body, handler);
        return inFront ? await FailAsync(http, fault!, "injected after handling") : Answer(http, answer);
    }

    private static async Task<IResult> FailAsync(HttpContext http, Fault fault, string how)
    {
        if (fault.Delay is { } hold) await Task.Delay(hold, http.RequestAborted);
        return new ErrorResult(fault.Status, FaultJson(how), fault.ShouldRetry);
    }

    internal static string FaultJson(string how) => ErrorJson(new ErrorObject { Type = "api_error", Message = $"An unexpected error occurred ({how})." });

    private static IResult Answer(HttpContext http, (int Status, string Json) answer)
    {
        var (status, json) = answer;
        http.Response.Headers["Request-Id"] = $"req_{Guid.NewGuid():N}";
        return Results.Content(json, "application/json", statusCode: status);
    }

    private static (int, string) Run(string body, Func<FormParams, object> handler)
    {
        try
        {
            return (200, JsonSerializer.Serialize(handler(FormParams.Parse(body)), Json));
        }
        catch (ParamException ex)
        {
            return (400, ErrorJson(new ErrorObject { Type = "invalid_request_error", Code = ex.Code, Param = ex.Param, Message = ex.Message }));
        }
        catch (StripeErrorException ex)
        {
            return (ex.Status, ErrorJson(ex.Error));
        }
    }

    internal static string ErrorJson(ErrorObject error) => JsonSerializer.Serialize(new { error }, Json);

    private static IResult Error(int status, ErrorObject error, bool? shouldRetry = null) => new ErrorResult(status, ErrorJson(error), shouldRetry);

    private sealed record ErrorResult(int Status, string Json, bool? ShouldRetry) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            if (ShouldRetry is { } retry) http.Response.Headers["Stripe-Should-Retry"] = retry ? "true" : "false";
            http.Response.Headers["Request-Id"] = $"req_{Guid.NewGuid():N}";
            return Results.Content(Json, "application/json", statusCode: Status).ExecuteAsync(http);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Webhooks.DrainAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
