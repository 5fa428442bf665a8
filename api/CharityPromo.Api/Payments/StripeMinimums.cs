namespace CharityPromo.Api.Payments;

/// <summary>
/// Stripe's minimum charge per presentment currency, in minor units (docs.stripe.com/currencies, "Minimum and
/// maximum charge amounts"). Other currencies are left to Stripe, whose refusal is passed on as a 422.
/// </summary>
internal static class StripeMinimums
{
    private static readonly Dictionary<string, long> Table = new()
    {
        ["usd"] = 50, ["aed"] = 200, ["aud"] = 50, ["bgn"] = 100, ["brl"] = 50, ["cad"] = 50, ["chf"] = 50,
        ["czk"] = 1500, ["dkk"] = 250, ["eur"] = 50, ["gbp"] = 30, ["hkd"] = 400, ["huf"] = 17500, ["inr"] = 50,
        ["jpy"] = 50, ["mxn"] = 1000, ["myr"] = 200, ["nok"] = 300, ["nzd"] = 50, ["pln"] = 200, ["ron"] = 200,
        ["sek"] = 300, ["sgd"] = 50, ["thb"] = 1000,
    };

    public static long? For(string currency) => Table.TryGetValue(currency, out var minimum) ? minimum : null;
}
