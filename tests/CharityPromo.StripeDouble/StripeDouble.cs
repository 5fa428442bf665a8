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
/// <param name="TraceParent">The W3C <c>traceparent</c> the caller sent, which carries its trace on.</param>
public sealed record RecordedRequest(string Method, string Path, string? IdempotencyKey, string? StripeVersion, string Body, string? TraceParent = null);

/// <summary>
/// The Stripe API subset CharityPromo uses, on Kestrel at 127.0.0.1, in Stripe.net's pinned API version:
/// PaymentIntents (create, retrieve, confirm, cancel, search by metadata), refunds (create, list), events (list).
/// Test payment methods behave as in Stripe's test mode, idempotency keys are enforced as Stripe enforces them
/// (<see cref="IdempotencyLayer"/>), parameters are read strictly, faults can be injected, and events go to a
/// webhook URL signed with the configured secrets.
/// </summary>
public sealed partial class StripeDouble : IAsyncDisposable
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
        stripe.State.PagesBase = stripe.BaseUrl;
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
        MapConnect(app);
        MapCheckout(app);
        app.MapGet("/v1/events", (HttpContext http) => Handle(http, form =>
        {
            form.Allow("created[gte]", "types[#]", "type", "limit", "starting_after");
            var since = form.Long("created[gte]") ?? 0;
            var types = form.List("types");
            return State.Locked(_ => Page(State.Events.Where(e => e.Created >= since && (types.Count == 0 || types.Contains(e.Type))).Reverse().ToList(),
                e => e.Id, form, "/v1/events"));
        }));
    }

    private void MapConnect(WebApplication app)
    {
        app.MapPost("/v1/accounts", (HttpContext http) => Handle(http, form =>
        {
            form.Allow("type", "country", "email", "business_type", "controller[fees][payer]", "controller[losses][payments]",
                "controller[requirement_collection]", "controller[stripe_dashboard][type]", "capabilities[*][requested]", "metadata[*]");
            var capabilities = form.Keys.Select(k => CapabilityKey().Match(k)).Where(m => m.Success && form.Bool(m.Value) == true).Select(m => m.Groups[1].Value);
            var country = form.String("country") ?? "US";
            if (country.Length != 2 || !country.All(char.IsAsciiLetterUpper)) throw new ParamException("country", $"Country '{country}' is unknown.");
            return State.CreateAccount(country, form.String("email"), form.String("controller[stripe_dashboard][type]") ?? form.String("type"), capabilities.ToList(), form.Map("metadata"));
        }));
        app.MapGet("/v1/accounts/{id}", (HttpContext http, string id) => Handle(http, _ => State.Locked(_ => State.Account(id))));
        app.MapPost("/v1/account_links", (HttpContext http) => Handle(http, form =>
        {
            form.Allow("account", "refresh_url", "return_url", "type", "collect");
            var account = form.Required("account");
            var (refresh, back) = (form.Required("refresh_url"), form.Required("return_url"));
            if (form.Required("type") is var type and not ("account_onboarding" or "account_update"))
                throw new ParamException("type", $"Invalid type: must be one of account_onboarding or account_update");
            foreach (var (name, url) in new[] { ("refresh_url", refresh), ("return_url", back) })
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) throw new ParamException(name, $"Not a valid URL");
            return State.Locked(_ =>
            {
                State.Account(account, "account");
                var token = Guid.NewGuid().ToString("N");
                _onboarding[token] = (account, back);
                var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                return new AccountLinkObject { Created = now, ExpiresAt = now + 300, Url = $"{BaseUrl}/c/onboard/{token}" };
            });
        }));
        // The onboarding form Stripe hosts for the charity: one button that finishes it and returns to the platform.
        app.MapGet("/c/onboard/{token}", (string token) => _onboarding.TryGetValue(token, out var link)
            ? Results.Content($"<!doctype html><title>Stripe onboarding</title><form method=post><p>Account {link.Account}</p><button>Finish onboarding</button></form>", "text/html")
            : Results.NotFound());
        app.MapPost("/c/onboard/{token}", (string token) =>
        {
            if (!_onboarding.TryRemove(token, out var link)) return Results.NotFound();
            State.CompleteOnboarding(link.Account);
            return Results.Redirect(link.ReturnUrl);
        });

        app.MapPost("/v1/transfers", (HttpContext http) => Handle(http, form =>
        {
            form.Allow("amount", "currency", "destination", "description", "transfer_group", "metadata[*]");
            var amount = form.Long("amount") ?? throw new ParamException("amount", "Missing required param: amount.", "parameter_missing");
            return State.CreateTransfer(amount, form.Required("currency"), form.Required("destination"), form.String("description"),
                form.String("transfer_group"), form.Map("metadata"));
        }));
        app.MapGet("/v1/transfers", (HttpContext http) => Handle(http, form =>
        {
            form.Allow("transfer_group", "destination", "limit", "starting_after");
            var (group, destination) = (form.String("transfer_group"), form.String("destination"));
            return State.Locked(_ => Page(State.Transfers.Values.Where(t => (group is null || t.TransferGroup == group) && (destination is null || t.Destination == destination))
                .OrderByDescending(t => t.Created).ToList(), t => t.Id, form, "/v1/transfers"));
        }));
        app.MapGet("/v1/transfers/{id}", (HttpContext http, string id) => Handle(http, _ => State.Locked(_ => State.Transfer(id))));
        app.MapPost("/v1/transfers/{id}/reversals", (HttpContext http, string id) => Handle(http, form =>
        {
            form.Allow("amount", "description", "metadata[*]", "refund_application_fee");
            return State.ReverseTransfer(id, form.Long("amount"), form.Map("metadata"));
        }));
    }

    private readonly ConcurrentDictionary<string, (string Account, string ReturnUrl)> _onboarding = new();

    private void MapCheckout(WebApplication app)
    {
        app.MapPost("/v1/checkout/sessions", (HttpContext http) => Handle(http, form =>
        {
            form.Allow("mode", "success_url", "cancel_url", "client_reference_id", "metadata[*]", "payment_intent_data[metadata][*]",
                "payment_intent_data[description]", "expires_at", "line_items[#][quantity]", "line_items[#][price_data][currency]",
                "line_items[#][price_data][unit_amount]", "line_items[#][price_data][product_data][name]", "line_items[#][price_data][product_data][description]");
            if (form.Required("mode") != "payment") throw new ParamException("mode", "The double makes Checkout Sessions in payment mode only.");
            var lines = form.Items("line_items").Select((item, i) =>
            {
                var currency = item.Required("price_data[currency]");
                var unitAmount = item.Long("price_data[unit_amount]") ?? throw new ParamException($"line_items[{i}][price_data][unit_amount]", "Missing required param.", "parameter_missing");
                if (unitAmount < 0) throw new ParamException($"line_items[{i}][price_data][unit_amount]", "This value must be greater than or equal to 0.");
                var quantity = item.Long("quantity") ?? throw new ParamException($"line_items[{i}][quantity]", "Quantity is required.", "parameter_missing");
                return new CheckoutLine(item.Required("price_data[product_data][name]"), unitAmount, quantity, currency);
            }).ToList();
            return State.CreateSession(lines, form.Required("success_url"), form.String("cancel_url"), form.String("client_reference_id"),
                form.Map("metadata"), form.Map("payment_intent_data[metadata]"), form.Long("expires_at"));
        }));
        app.MapGet("/v1/checkout/sessions/{id}", (HttpContext http, string id) => Handle(http, form =>
            State.Locked(_ => State.Session((form.Allow("expand[#]"), id).id))));
        app.MapPost("/v1/checkout/sessions/{id}/expire", (HttpContext http, string id) => Handle(http, form => State.Expire((form.Allow(), id).id)));
        // The hosted payment page: the lines and a card field; paying redirects to the success URL, as Stripe does.
        app.MapGet("/c/pay/{id}", (string id) => State.Locked(_ => State.Sessions.TryGetValue(id, out var session) && session.Status == "open"
            ? Results.Content("<!doctype html><title>Pay</title><ul>"
                + string.Concat(State.SessionLines[id].Select(l => $"<li>{System.Net.WebUtility.HtmlEncode(l.Name)}: {l.UnitAmount * l.Quantity} {l.Currency}</li>"))
                + $"</ul><form method=post><input name=payment_method value=pm_card_visa><button>Pay {session.AmountTotal} {session.Currency}</button></form>", "text/html")
            : Results.NotFound()));
        app.MapPost("/c/pay/{id}", async (HttpContext http, string id) =>
        {
            var form = await http.Request.ReadFormAsync();
            var session = State.PayOnPage(id, form["payment_method"].FirstOrDefault() ?? "pm_card_visa");
            return session.Status == "complete" ? Results.Redirect(session.SuccessUrl.Replace("{CHECKOUT_SESSION_ID}", id, StringComparison.Ordinal))
                : Results.Content("<!doctype html><title>Declined</title><p>Your card was declined.</p>", "text/html", statusCode: 402);
        });
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^capabilities\[([a-z_]+)\]\[requested\]$")]
    private static partial System.Text.RegularExpressions.Regex CapabilityKey();

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
        Requests.Enqueue(new RecordedRequest(request.Method, request.Path, key, request.Headers["Stripe-Version"].FirstOrDefault(), body,
            request.Headers["traceparent"].FirstOrDefault()));

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
