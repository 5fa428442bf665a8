using System.Net;

namespace CharityPromo.Testing;

/// <summary>Request bodies shaped like docs/CONTRACT.md's examples, with knobs for each test.</summary>
public static class Seed
{
    public static object Charity(string slug = "read-together", string name = "Read Together") =>
        new { slug, name, description = "Books for every child.", website = "https://read-together.example" };

    public static Dictionary<string, object?> Campaign(
        string slug = "literacy-2026", string currency = "usd", string[]? charities = null,
        object? pledge = null, bool roundUp = true, bool addOn = true, object? match = null,
        string starts = "2026-01-01T00:00:00Z", string ends = "2027-01-01T00:00:00Z", long goal = 1_000_000) => new()
    {
        ["slug"] = slug, ["name"] = "Reading for every child", ["description"] = "5% of every purchase.",
        ["currency"] = currency, ["goal"] = goal, ["startsUtc"] = starts, ["endsUtc"] = ends,
        ["charities"] = charities ?? ["read-together"],
        ["pledge"] = pledge ?? new { percentBps = 500, fixedAmount = (long?)null, capPerPurchase = 500 },
        ["roundUp"] = roundUp, ["addOn"] = addOn, ["match"] = match,
    };

    public static Dictionary<string, object?> Purchase(
        string orderId, long amount = 4999, string campaign = "literacy-2026", string? charity = "read-together",
        string currency = "usd", bool roundUp = true, long addOn = 100, string? customerRef = "c-123") => new()
    {
        ["campaign"] = campaign, ["charity"] = charity, ["orderId"] = orderId, ["currency"] = currency,
        ["amount"] = amount, ["roundUp"] = roundUp, ["addOn"] = addOn, ["customerRef"] = customerRef,
        ["payment"] = new { method = "external", reference = "POS-77" },
    };

    /// <summary>A consent covering every campaign of the charity from long before any test's clock, with no end.</summary>
    public static object Consent(string[]? campaigns = null, string granted = "2020-01-01T00:00:00Z", string? expires = null) =>
        new { grantedBy = "Jane Doe, Director", grantedUtc = granted, document = "https://docs.example/consents/signed.pdf", campaigns, expiresUtc = expires };

    /// <summary>
    /// Creates a charity through the API and records its consent to promotions (without one, no purchase can give to it):
    /// what every test that sells for a charity starts from. A charity this app already has (409) is left as it is.
    /// </summary>
    public static async Task ConsentingCharityAsync(this HttpClient admin, string slug = "read-together", string name = "Read Together")
    {
        var created = await admin.PostJson("/api/charities", Charity(slug, name));
        await CreatedOrExisting(created);
        if (created.StatusCode == HttpStatusCode.Created)
            await (await admin.PostJson($"/api/charities/{slug}/consents", Consent())).Expect(HttpStatusCode.Created);
    }

    /// <summary>The contract's example charity (with its consent) and campaign, created through the API with an admin key (once per app).</summary>
    public static async Task ContractCampaignAsync(HttpClient admin, object? match = null, string slug = "literacy-2026", string currency = "usd")
    {
        await admin.ConsentingCharityAsync();
        await CreatedOrExisting(await admin.PostJson("/api/campaigns", Campaign(slug: slug, currency: currency, match: match)));
    }

    private static async Task CreatedOrExisting(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.Conflict) await response.Expect(HttpStatusCode.Created);
    }
}
