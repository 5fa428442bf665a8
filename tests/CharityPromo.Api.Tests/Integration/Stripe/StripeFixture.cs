using System.Net;
using System.Text.Json.Nodes;
using CharityPromo.StripeDouble;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration.Stripe;

/// <summary>The real API configured for Stripe, talking over HTTP to the Stripe test double, which sends webhooks back. One per test class.</summary>
public sealed class StripeFixture : IAsyncLifetime
{
    public const string WebhookSecret = "whsec_test_current_0123456789";
    public const string RotatedOutSecret = "whsec_test_previous_0123456789";

    public ApiFactory App { get; } = new();
    public StripeDouble.StripeDouble Stripe { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public HttpClient Checkout { get; private set; } = null!;
    public string WebhookUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Stripe = await StripeDouble.StripeDouble.StartAsync(App.Clock);
        App.Settings["Stripe:SecretKey"] = "sk_test_charitypromo";
        App.Settings["Stripe:ApiBase"] = Stripe.BaseUrl;
        App.Settings["Stripe:WebhookSecrets"] = $"{RotatedOutSecret},{WebhookSecret}";
        App.Settings["Stripe:Timeout"] = "00:00:01";
        App.Settings["Stripe:ReconcileEvery"] = "01:00:00"; // tests run the reconciler themselves
        Admin = App.Client(await App.CreateKeyAsync("admin"));
        Checkout = App.Client(await App.CreateKeyAsync("checkout"));
        WebhookUrl = new Uri(Admin.BaseAddress!, "/api/stripe/webhook").ToString();
        Stripe.Webhooks.Url = WebhookUrl;
        Stripe.Webhooks.Secrets.Add(WebhookSecret);
        await Seed.ContractCampaignAsync(Admin);
    }

    public async Task DisposeAsync()
    {
        await Stripe.DisposeAsync();
        await App.DisposeAsync();
    }

    public static Dictionary<string, object?> StripePurchase(string orderId, string? paymentMethod = "pm_card_visa", long amount = 4999)
    {
        var body = Seed.Purchase(orderId, amount: amount, customerRef: null);
        body["payment"] = paymentMethod is null ? new { method = "stripe" } : new { method = "stripe", paymentMethodId = paymentMethod, confirm = true };
        return body;
    }

    /// <summary>A Stripe purchase paid at once with the test card, its webhooks delivered: its id and its PaymentIntent's.</summary>
    public async Task<(string PurchaseId, string IntentId)> PaidAsync(string orderId, string paymentMethod = "pm_card_visa")
    {
        var body = await (await Checkout.PostJson("/api/purchases", StripePurchase(orderId, paymentMethod), orderId)).Expect(HttpStatusCode.Created);
        await Stripe.Webhooks.DrainAsync();
        return (body.Str("id"), body.Str("payment.paymentIntentId"));
    }

    public async Task<JsonNode> PurchaseAsync(string id) => await (await Admin.GetAsync($"/api/purchases/{id}")).Expect(HttpStatusCode.OK);

    public async Task<JsonNode> TotalsAsync() => (await (await App.Client().GetAsync("/api/campaigns/literacy-2026")).Expect(HttpStatusCode.OK))["totals"]!;

    public async Task InvariantsHoldAsync()
    {
        var report = await (await Admin.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK);
        report["ok"]!.GetValue<bool>().ShouldBeTrue(report.ToJsonString());
    }
}
