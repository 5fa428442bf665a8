using System.Net;
using System.Text.Json.Nodes;
using CharityPromo.Testing;

namespace CharityPromo.Site.Tests;

/// <summary>
/// A browser, the site and an API that talks to the Stripe test double, with a charity whose campaign has over a
/// thousand purchases (so every count needs its group separator) and two payments: one by bank, one by Stripe transfer.
/// </summary>
public sealed class PaidCharityFixture : BrowserFixture
{
    public const string Campaign = "literacy-2026";
    public const string Charity = "read-together";
    public const int Purchases = 1_250;

    public StripeDouble.StripeDouble Stripe { get; private set; } = null!;
    public JsonNode BankBatch { get; private set; } = null!;
    public JsonNode TransferBatch { get; private set; } = null!;
    public DateTimeOffset BankPaidUtc { get; private set; }
    public DateTimeOffset TransferPaidUtc { get; private set; }
    public string ReceiptCode { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var api = Site.Api;
        Stripe = await StripeDouble.StripeDouble.StartAsync(api.Clock);
        const string secret = "whsec_site_tests_0123456789";
        api.Settings["Stripe:SecretKey"] = "sk_test_charitypromo";
        api.Settings["Stripe:ApiBase"] = Stripe.BaseUrl;
        api.Settings["Stripe:WebhookSecrets"] = secret;
        api.Settings["Stripe:ReconcileEvery"] = "01:00:00";
        api.Settings.Remove("Remittances:HoldDays"); // the default hold, as a shop runs it: the batches below are of older pledges
        var admin = api.Client(await api.CreateKeyAsync("admin"));
        var checkout = api.Client(await api.CreateKeyAsync("checkout"));
        var finance = api.Client(await api.CreateKeyAsync("finance"));
        Stripe.Webhooks.Url = new Uri(api.Address, "/api/stripe/webhook").ToString();
        Stripe.Webhooks.Secrets.Add(secret);

        await Seed.ContractCampaignAsync(admin);
        await api.SeedBulkAsync(Campaign, Purchases, days: 60);
        ReceiptCode = (await (await checkout.PostJson("/api/purchases", Seed.Purchase("PAID-1"), "paid-1")).Expect(HttpStatusCode.Created)).Str("receiptCode");

        var link = await (await admin.PostJson($"/api/charities/{Charity}/stripe/onboarding",
            new { returnUrl = "https://shop.example/done", refreshUrl = "https://shop.example/again", country = "US" })).Expect(HttpStatusCode.OK);
        using (var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false })) await browser.PostAsync(link.Str("url"), null);
        await Stripe.Webhooks.DrainAsync();
        Stripe.State.SetAvailable("usd", 100_000_000);

        var now = api.Clock.GetUtcNow();
        BankBatch = await (await finance.PostJson("/api/remittances", new { charity = Charity, currency = "usd", cutoffUtc = now.AddDays(-40) })).Expect(HttpStatusCode.Created);
        await (await finance.PostJson($"/api/remittances/{BankBatch.Str("id")}/paid", new { reference = "BANK-77120" })).Expect(HttpStatusCode.OK);
        BankPaidUtc = now;
        api.Clock.Advance(TimeSpan.FromDays(9));
        TransferBatch = await (await finance.PostJson("/api/remittances", new { charity = Charity, currency = "usd", cutoffUtc = now.AddDays(-10) })).Expect(HttpStatusCode.Created);
        await (await finance.PostAsync($"/api/remittances/{TransferBatch.Str("id")}/transfer", null)).Expect(HttpStatusCode.OK);
        TransferPaidUtc = api.Clock.GetUtcNow();
        await Stripe.Webhooks.DrainAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Stripe.DisposeAsync();
    }
}
