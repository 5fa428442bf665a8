using static CharityPromo.Api.Tests.Contract.Caller;
using static CharityPromo.Api.Tests.Contract.ContractStep;

namespace CharityPromo.Api.Tests.Contract;

/// <summary>
/// The contract pass's journey: every operation in docs/openapi.json, each success and each documented error, sent
/// through Prism's validating proxy in this order (later steps use what earlier ones made: <c>{purchase}</c> is the id
/// a step saved). A new endpoint adds its steps here; <see cref="ContractPassTests"/> fails until every documented
/// status of every operation has one, or a line in <see cref="NotExercised"/> says why it cannot.
/// Every secured success is also sent without a key (401) and, with <c>Forbidden = …</c>, with a key of the wrong scope (403).
/// <c>Invalid = true</c>: the document itself calls the request invalid (Prism must say so; the API must refuse it).
/// </summary>
public static class ContractJourney
{
    private const string Missing = "00000000-0000-4000-8000-000000000000";

    public static IReadOnlyList<ContractStep> Steps { get; } =
    [
        // Charities
        Post("CreateCharity", "/api/charities", 201, Admin, Charity("read-together", "Read Together")) with { Forbidden = Finance },
        Post("CreateCharity", "/api/charities", 201, Admin, Charity("plant-trees", "Plant Trees")),
        Post("CreateCharity", "/api/charities", 409, Admin, Charity("read-together", "Read Together")),
        Post("CreateCharity", "/api/charities", 400, Admin, new { slug = 5, name = "Five" }) with { Invalid = true },
        Post("CreateCharity", "/api/charities", 400, Admin, new { slug = "no-name" }) with { Invalid = true },
        Get("ListCharities", "/api/charities", 200),
        Get("GetCharity", "/api/charities/read-together", 200),
        Get("GetCharity", "/api/charities/read-together", 200, Admin),
        Get("GetCharity", "/api/charities/nobody", 404),
        Get("GetCharityPayments", "/api/charities/read-together/payments", 200),
        Get("GetCharityPayments", "/api/charities/nobody/payments", 404),
        Put("UpdateCharity", "/api/charities/read-together", 200, Admin, Charity("read-together", "Read Together")) with { Forbidden = Checkout },
        Put("UpdateCharity", "/api/charities/read-together", 400, Admin, new { slug = "read-together", name = 7 }) with { Invalid = true },
        Put("UpdateCharity", "/api/charities/nobody", 404, Admin, Charity("nobody", "Nobody")),
        Put("UpdateCharity", "/api/charities/read-together", 422, Admin, Charity("renamed", "Read Together")),
        Post("StartCharityOnboarding", "/api/charities/read-together/stripe/onboarding", 200, Admin, Onboarding).Save("onboarding", "url") with { Forbidden = Finance },
        Do("the charity finishes Stripe's form", FinishOnboardingAsync),
        Post("StartCharityOnboarding", "/api/charities/read-together/stripe/onboarding", 400, Admin, new { returnUrl = 5, refreshUrl = "https://shop.example/again" }) with { Invalid = true },
        Post("StartCharityOnboarding", "/api/charities/nobody/stripe/onboarding", 404, Admin, Onboarding),
        Get("GetCharity", "/api/charities/read-together", 200, Admin),

        // Campaigns: one with impact units and a match, one with neither
        Post("CreateCampaign", "/api/campaigns", 201, Admin, Campaign("literacy-2026", "read-together", withExtras: true)) with { Forbidden = Checkout },
        Post("CreateCampaign", "/api/campaigns", 201, Admin, Campaign("trees-2026", "plant-trees", withExtras: false)),
        Post("CreateCampaign", "/api/campaigns", 409, Admin, Campaign("literacy-2026", "read-together", withExtras: true)),
        Post("CreateCampaign", "/api/campaigns", 400, Admin, Campaign("goal-words", "read-together", withExtras: false, goal: "lots")) with { Invalid = true },
        Post("CreateCampaign", "/api/campaigns", 422, Admin, Campaign("no-charity", "nobody", withExtras: false)),
        Get("ListCampaigns", "/api/campaigns", 200),
        Get("ListCampaigns", "/api/campaigns?status=active", 200),
        Get("ListCampaigns", "/api/campaigns?status=someday", 400) with { Invalid = true },
        Get("GetCampaign", "/api/campaigns/literacy-2026", 200),
        Get("GetCampaign", "/api/campaigns/trees-2026", 200),
        Get("GetCampaign", "/api/campaigns/nobody", 404),
        Put("UpdateCampaign", "/api/campaigns/literacy-2026", 200, Admin, Campaign("literacy-2026", "read-together", withExtras: true)) with { Forbidden = Finance },
        Put("UpdateCampaign", "/api/campaigns/literacy-2026", 400, Admin, Campaign("literacy-2026", "read-together", withExtras: true, goal: "lots")) with { Invalid = true },
        Put("UpdateCampaign", "/api/campaigns/nobody", 404, Admin, Campaign("nobody", "read-together", withExtras: false)),
        Put("UpdateCampaign", "/api/campaigns/literacy-2026", 422, Admin, Campaign("renamed", "read-together", withExtras: true)),

        // Consents: each charity agrees to the campaigns given in its name
        Post("GrantConsent", "/api/charities/read-together/consents", 201, Admin, Consent(null)).Save("consent", "id") with { Forbidden = Finance },
        Post("GrantConsent", "/api/charities/plant-trees/consents", 201, Admin, Consent(["trees-2026"])),
        Post("GrantConsent", "/api/charities/read-together/consents", 201, Admin, Consent(["literacy-2026"])).Save("extraConsent", "id"),
        Post("GrantConsent", "/api/charities/read-together/consents", 400, Admin, new { grantedBy = "Jo", grantedUtc = "someday", document = "https://x.example/c.pdf" }) with { Invalid = true },
        Post("GrantConsent", "/api/charities/nobody/consents", 404, Admin, Consent(null)),
        Get("ListConsents", "/api/charities/read-together/consents", 200, Admin) with { Forbidden = Finance },
        Get("ListConsents", "/api/charities/nobody/consents", 404, Admin),
        Get("GetConsent", "/api/charities/read-together/consents/{consent}", 200, Admin) with { Forbidden = Finance },
        Get("GetConsent", $"/api/charities/read-together/consents/{Missing}", 404, Admin),
        new ContractStep("WithdrawConsent", HttpMethod.Delete, "/api/charities/read-together/consents/{extraConsent}", 200) { As = Admin, Forbidden = Finance },
        new ContractStep("WithdrawConsent", HttpMethod.Delete, $"/api/charities/read-together/consents/{Missing}", 404) { As = Admin },

        // Quotes and purchases
        Post("QuotePledge", "/api/pledges/quote", 200, Checkout, Quote("usd")) with { Forbidden = Finance },
        Post("QuotePledge", "/api/pledges/quote", 400, Checkout, new { campaign = "literacy-2026", currency = "usd", amount = "a lot" }) with { Invalid = true },
        Post("QuotePledge", "/api/pledges/quote", 422, Checkout, Quote("eur")),
        Post("CreatePurchase", "/api/purchases", 201, Checkout, Purchase("ORD-1", "literacy-2026", "read-together", External)).Save("purchase", "id").Save("receipt", "receiptCode") with { Forbidden = Finance },
        Post("CreatePurchase", "/api/purchases", 201, Checkout, Purchase("ORD-2", "trees-2026", "plant-trees", External)).Save("treesReceipt", "receiptCode"),
        Post("CreatePurchase", "/api/purchases", 201, Checkout, Purchase("ORD-3", "literacy-2026", "read-together", new { method = "stripe", paymentMethodId = "pm_card_visa", confirm = true })).Save("stripePurchase", "id"),
        Post("CreatePurchase", "/api/purchases", 201, Checkout, Purchase("ORD-4", "literacy-2026", "read-together", new { method = "stripe" })).Save("pendingPurchase", "id"),
        Post("CreatePurchase", "/api/purchases", 402, Checkout, Purchase("ORD-5", "literacy-2026", "read-together", new { method = "stripe", paymentMethodId = "pm_card_chargeDeclined", confirm = true })),
        Post("CreatePurchase", "/api/purchases", 409, Checkout, Purchase("ORD-1", "literacy-2026", "read-together", External)),
        Post("CreatePurchase", "/api/purchases", 400, Checkout, Purchase("ORD-6", "literacy-2026", "read-together", External, amount: "a lot")) with { Invalid = true },
        Post("CreatePurchase", "/api/purchases", 422, Checkout, Purchase("ORD-7", "literacy-2026", "read-together", External, currency: "eur")),
        Do("Stripe's webhooks arrive", pass => pass.Fixture.Stripe.Webhooks.DrainAsync()),
        Get("ListPurchases", "/api/purchases?orderId=ORD-1", 200, Checkout),
        Get("ListPurchases", "/api/purchases?limit=zero", 400, Checkout) with { Invalid = true },
        Get("GetPurchase", "/api/purchases/{purchase}", 200, Checkout),
        Get("GetPurchase", "/api/purchases/{stripePurchase}", 200, Admin),
        Get("GetPurchase", $"/api/purchases/{Missing}", 404, Finance),
        Post("RefundPurchase", "/api/purchases/{purchase}/refunds", 201, Checkout, new { amount = 100, reference = "R-1" }).Save("refund", "id") with { Forbidden = Finance },
        Post("RefundPurchase", "/api/purchases/{purchase}/refunds", 400, Checkout, new { amount = "some" }) with { Invalid = true },
        Post("RefundPurchase", $"/api/purchases/{Missing}/refunds", 404, Checkout, new { amount = 100 }),
        Post("RefundPurchase", "/api/purchases/{pendingPurchase}/refunds", 409, Checkout, new { amount = 100 }),
        Post("RefundPurchase", "/api/purchases/{purchase}/refunds", 422, Checkout, new { amount = 1_000_000 }),
        Get("GetRefund", "/api/purchases/{purchase}/refunds/{refund}", 200, Checkout),
        Get("GetRefund", $"/api/purchases/{{purchase}}/refunds/{Missing}", 404, Checkout),
        Get("GetReceipt", "/api/receipts/{receipt}", 200),
        Get("GetReceipt", "/api/receipts/{treesReceipt}", 200),
        Get("GetReceipt", "/api/receipts/AAAA-AAAA-AAAA", 404),
        Get("ListRecentPledges", "/api/campaigns/literacy-2026/pledges/recent", 200),
        Get("ListRecentPledges", "/api/campaigns/literacy-2026/pledges/recent?limit=0", 400) with { Invalid = true },
        Get("ListRecentPledges", "/api/campaigns/nobody/pledges/recent", 404),
        Post("GetCustomerStatement", "/api/customers/statement", 200, Checkout, new { customerRef = "c-123", year = 2026 }) with { Forbidden = Finance },
        Post("GetCustomerStatement", "/api/customers/statement", 400, Checkout, new { customerRef = "c-123", year = "this one" }) with { Invalid = true },
        Post("ForgetCustomerByBody", "/api/customers/forget", 200, Admin, new { customerRef = "shop/c-9?x=1" }) with { Forbidden = Checkout },
        Post("ForgetCustomerByBody", "/api/customers/forget", 400, Admin, new { customerRef = 12 }) with { Invalid = true },
        Delete("ForgetCustomer", "/api/customers/c-123", 200, Admin) with { Forbidden = Checkout },
        Delete("ForgetCustomer", $"/api/customers/{new string('c', 300)}", 400, Admin) with { Invalid = true },

        // Remittances: read-together's batch is paid by Stripe transfer, plant-trees' (not on Stripe) by bank
        Do("a minute passes", pass => { pass.Fixture.App.Clock.Advance(TimeSpan.FromMinutes(1)); return Task.CompletedTask; }),
        Post("CreateRemittance", "/api/remittances", 201, Finance, Remittance("plant-trees")).Save("treesBatch", "id") with { Forbidden = Checkout },
        Post("CreateRemittance", "/api/remittances", 400, Finance, new { charity = "plant-trees", currency = "usd", cutoffUtc = "yesterday" }) with { Invalid = true },
        Post("CreateRemittance", "/api/remittances", 422, Finance, Remittance("nobody")),
        Delete("DeleteRemittance", "/api/remittances/{treesBatch}", 204, Finance) with { Forbidden = Checkout },
        Delete("DeleteRemittance", $"/api/remittances/{Missing}", 404, Finance),
        Post("CreateRemittance", "/api/remittances", 201, Finance, Remittance("read-together")).Save("batch", "id"),
        Post("CreateRemittance", "/api/remittances", 201, Finance, Remittance("plant-trees")).Save("treesBatch", "id"),
        Get("ListRemittances", "/api/remittances", 200, Finance) with { Forbidden = Admin },
        Get("ListRemittances", "/api/remittances?charity=read-together", 200, Finance),
        Get("GetRemittance", "/api/remittances/{batch}", 200, Finance) with { Forbidden = Checkout },
        Get("GetRemittance", $"/api/remittances/{Missing}", 404, Finance),
        Get("GetRemittanceStatement", "/api/remittances/{batch}/statement", 200, Finance) with { Forbidden = Admin },
        Get("GetRemittanceStatement", "/api/remittances/{batch}/statement?format=csv", 200, Finance),
        Get("GetRemittanceStatement", "/api/remittances/{batch}/statement?format=xml", 400, Finance) with { Invalid = true },
        Get("GetRemittanceStatement", $"/api/remittances/{Missing}/statement", 404, Finance),
        Post("TransferRemittance", "/api/remittances/{treesBatch}/transfer", 422, Finance),
        Post("TransferRemittance", "/api/remittances/{batch}/transfer", 200, Finance) with { Forbidden = Checkout },
        Post("TransferRemittance", $"/api/remittances/{Missing}/transfer", 404, Finance),
        Post("MarkRemittancePaid", "/api/remittances/{treesBatch}/paid", 200, Finance, new { reference = "BANK-1" }) with { Forbidden = Admin },
        Post("MarkRemittancePaid", "/api/remittances/{treesBatch}/paid", 409, Finance, new { reference = "BANK-2" }),
        Post("MarkRemittancePaid", "/api/remittances/{treesBatch}/paid", 400, Finance, new { reference = 5 }) with { Invalid = true },
        Post("MarkRemittancePaid", $"/api/remittances/{Missing}/paid", 404, Finance, new { reference = "BANK-3" }),
        Post("TransferRemittance", "/api/remittances/{treesBatch}/transfer", 409, Finance),
        Delete("DeleteRemittance", "/api/remittances/{treesBatch}", 409, Finance),

        // Reports, JSON and CSV
        Get("ExportPledges", "/api/reports/pledges", 200, Finance) with { Forbidden = Checkout },
        Get("ExportPledges", "/api/reports/pledges?format=csv", 200, Finance),
        Get("ExportPledges", "/api/reports/pledges?campaign=literacy-2026&status=confirmed&currency=usd&limit=2", 200, Finance),
        Get("ExportPledges", "/api/reports/pledges?from=yesterday", 400, Finance) with { Invalid = true },
        Get("ExportPledgesCsv", "/api/reports/pledges.csv", 200, Finance) with { Forbidden = Admin },
        Get("ExportPledgesCsv", "/api/reports/pledges.csv?from=yesterday", 400, Finance) with { Invalid = true },
        Get("GetCampaignStatement", "/api/reports/campaigns/literacy-2026/statement", 200, Finance) with { Forbidden = Checkout },
        Get("GetCampaignStatement", "/api/reports/campaigns/literacy-2026/statement?format=csv", 200, Finance),
        Get("GetCampaignStatement", "/api/reports/campaigns/literacy-2026/statement?format=xml", 400, Finance) with { Invalid = true },
        Get("GetCampaignStatement", "/api/reports/campaigns/nobody/statement", 404, Finance),
        Get("GetCampaignAccounting", "/api/campaigns/literacy-2026/accounting", 200),
        Get("GetCampaignAccounting", "/api/campaigns/nobody/accounting", 404),
        Get("GetSummary", "/api/reports/summary", 200, Finance) with { Forbidden = Checkout },
        Get("GetSummary", "/api/reports/summary?to=tomorrow", 400, Finance) with { Invalid = true },
        Get("GetReconciliation", "/api/reports/reconciliation?from=2026-06-01T00:00:00Z&to=2026-06-02T00:00:00Z", 200, Finance) with { Forbidden = Admin },
        Get("GetReconciliation", "/api/reports/reconciliation?from=2026-06-01T00:00:00Z&to=2026-06-02T00:00:00Z&format=csv", 200, Finance),
        Get("GetReconciliation", "/api/reports/reconciliation?from=yesterday", 400, Finance) with { Invalid = true },
        Get("GetLiability", "/api/reports/liability", 200, Finance) with { Forbidden = Checkout },

        // Operating the API
        Get("WriterStats", "/api/admin/writer", 200, Admin) with { Forbidden = Finance },
        Get("CheckInvariants", "/api/admin/invariants", 200, Admin) with { Forbidden = Finance },
        Get("GetAudit", "/api/admin/audit", 200, Admin) with { Forbidden = Finance },
        Get("GetAudit", "/api/admin/audit?kind=campaign&limit=2", 200, Admin),
        Get("GetAudit", "/api/admin/audit?from=yesterday", 400, Admin) with { Invalid = true },
        Get("VerifyAudit", "/api/admin/audit/verify", 200, Admin) with { Forbidden = Finance },
        Get("ExportAudit", "/api/admin/audit.csv", 200, Admin) with { Forbidden = Finance },
        Get("ExportAudit", "/api/admin/audit.csv?to=tomorrow", 400, Admin) with { Invalid = true },

        // Webhooks: a receiver at a documentation address (TEST-NET-1, never routed) for purchase.confirmed, so the purchase
        // below queues a delivery; the dispatcher's attempts at it fail in the background, unseen by the pass.
        Post("CreateWebhookEndpoint", "/api/webhook-endpoints", 201, Admin, new { url = "https://192.0.2.10/hooks", events = new[] { "purchase.confirmed" }, description = "ERP" })
            .Save("hook", "id") with { Forbidden = Finance },
        Post("CreateWebhookEndpoint", "/api/webhook-endpoints", 400, Admin, new { url = "http://192.0.2.10/hooks", events = new[] { "*" } }),
        Post("CreateWebhookEndpoint", "/api/webhook-endpoints", 422, Admin, new { url = "https://10.0.0.1/hooks", events = new[] { "*" } }),
        Get("ListWebhookEndpoints", "/api/webhook-endpoints", 200, Admin) with { Forbidden = Finance },
        Post("RotateWebhookSecret", "/api/webhook-endpoints/{hook}/rotate-secret", 200, Admin) with { Forbidden = Finance },
        Post("RotateWebhookSecret", $"/api/webhook-endpoints/{Missing}/rotate-secret", 404, Admin),
        Post("CreatePurchase", "/api/purchases", 201, Checkout, Purchase("ORD-W1", "literacy-2026", "read-together", External)),
        Get("ListWebhookDeliveries", "/api/webhook-endpoints/{hook}/deliveries", 200, Admin).Save("delivery", "0.id") with { Forbidden = Finance },
        Get("ListWebhookDeliveries", "/api/webhook-endpoints/{hook}/deliveries?limit=0", 400, Admin),
        Get("ListWebhookDeliveries", $"/api/webhook-endpoints/{Missing}/deliveries", 404, Admin),
        Post("RetryWebhookDelivery", "/api/webhook-deliveries/{delivery}/retry", 202, Admin) with { Forbidden = Finance },
        Post("RetryWebhookDelivery", "/api/webhook-deliveries/999999999/retry", 404, Admin),
        Delete("DeleteWebhookEndpoint", "/api/webhook-endpoints/{hook}", 204, Admin) with { Forbidden = Finance },
        Delete("DeleteWebhookEndpoint", $"/api/webhook-endpoints/{Missing}", 404, Admin),

        // Stripe's webhook
        Post("ReceiveStripeEvent", "/api/stripe/webhook", 200, Anonymous, StripeEvent) with { StripeSigned = true },
        Post("ReceiveStripeEvent", "/api/stripe/webhook", 400, Anonymous, StripeEvent),
        Post("ReceiveStripeEvent", "/api/stripe/webhook", 415, Anonymous, "an event, as text") with { ContentType = "text/plain", Invalid = true },

        // Keys the API has never seen, until the budget of one client address is spent (only that address's: Prism is the API's known proxy)
        Get("ListPurchases", "/api/purchases", 429, UnknownKey) with { Repeat = 10, ForwardedFor = "198.51.100.7" },
    ];

    /// <summary>Documented statuses the journey cannot reach on this test setup, and why.</summary>
    public static IReadOnlyDictionary<(string Operation, int Status), string> NotExercised { get; } = new Dictionary<(string, int), string>
    {
        [("StartCharityOnboarding", 422)] = "only when Stripe is not configured; the pass runs with Stripe's test double",
        [("StartCharityOnboarding", 502)] = "Stripe failing; the pass runs with a Stripe that answers",
        [("StartCharityOnboarding", 503)] = "Stripe unreachable",
        [("TransferRemittance", 502)] = "Stripe failing",
        [("TransferRemittance", 503)] = "Stripe unreachable",
        [("CreatePurchase", 503)] = "Stripe unreachable",
        [("RefundPurchase", 503)] = "Stripe unreachable",
        [("ReceiveStripeEvent", 503)] = "only when no webhook secret is configured",
        [("GetReconciliation", 422)] = "only past the Stripe payments one check may cover, or without Stripe configured",
        [("GetPurchase", 403)] = "every scope may read purchases",
        [("ListPurchases", 403)] = "every scope may read purchases",
        [("GetRefund", 403)] = "every scope may read purchases",
        [("RetryWebhookDelivery", 409)] = "only once an endpoint is disabled, after 3 days of failed deliveries",
    };

    private static object Charity(string slug, string name) => new
    {
        slug, name, description = "Books and reading mentors for every child.", website = $"https://{slug}.example", registrationNumber = "1234567",
    };

    private static object Onboarding => new { returnUrl = "https://shop.example/charities/done", refreshUrl = "https://shop.example/charities/again", country = "US" };

    private static object Campaign(string slug, string charity, bool withExtras, object? goal = null) => new Dictionary<string, object?>
    {
        ["slug"] = slug, ["name"] = "Reading for every child", ["description"] = "5% of every purchase.", ["currency"] = "usd",
        ["goal"] = goal ?? 1_000_000, ["startsUtc"] = "2026-01-01T00:00:00Z", ["endsUtc"] = "2027-01-01T00:00:00Z", ["charities"] = new[] { charity },
        ["pledge"] = new { percentBps = 500, capPerPurchase = 500 }, ["roundUp"] = true, ["addOn"] = true,
        ["match"] = withExtras ? new { minPriorPurchases = 0, percentBps = 10000, budget = 50000 } : null,
        ["impact"] = withExtras ? new { amount = 500, singular = "book", plural = "books" } : null,
    };

    private static object Consent(string[]? campaigns) => new
    {
        grantedBy = "Jo Reed, director", grantedUtc = "2026-01-01T00:00:00Z", document = "https://x.example/consent.pdf", campaigns,
    };

    private static object Quote(string currency) => new
    {
        campaign = "literacy-2026", charity = "read-together", currency, amount = 4999, roundUp = true, addOn = 100, customerRef = "c-123",
    };

    private static object External => new { method = "external", reference = "POS-77" };

    private static object Purchase(string orderId, string campaign, string charity, object payment, object? amount = null, string currency = "usd") => new
    {
        campaign, charity, orderId, currency, amount = amount ?? 4999, roundUp = true, addOn = 100, customerRef = "c-123", payment,
    };

    private static object Remittance(string charity) => new { charity, currency = "usd", cutoffUtc = "2026-06-01T12:00:30Z" };

    /// <summary>An event the API takes and has nothing to do for. Compact JSON (as serialised): Prism forwards JSON bodies re-serialised, and the signature covers the exact bytes.</summary>
    private static object StripeEvent => new
    {
        id = "evt_contract_1", @object = "event", api_version = StripeDouble.StripeDouble.ApiVersion, type = "customer.created", created = 1780315200,
        livemode = false, data = new { @object = new { id = "cus_contract", @object = "customer" } },
    };

    /// <summary>What the charity does with the onboarding link: opens Stripe's form and finishes it.</summary>
    private static async Task FinishOnboardingAsync(ContractPass pass)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var url = pass.Saved["onboarding"];
        (await browser.GetAsync(url)).EnsureSuccessStatusCode();
        await browser.PostAsync(url, null);
        await pass.Fixture.Stripe.Webhooks.DrainAsync();
    }
}
