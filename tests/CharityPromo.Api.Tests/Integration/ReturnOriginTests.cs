using System.Net;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>
/// Stripe's pages send browsers back only to the shop's own origins: a leaked key cannot turn Checkout or Connect
/// onboarding into a redirect to any site. (These apps have no Stripe key: an allowed URL gets as far as "not configured".)
/// </summary>
public sealed class ReturnOriginTests : IDisposable
{
    private readonly ApiFactory _app = new();

    private static Dictionary<string, object?> CheckoutPurchase(string order, string successUrl, string? cancelUrl = null)
    {
        var purchase = Seed.Purchase(order);
        purchase["payment"] = new { method = "stripe_checkout", successUrl, cancelUrl };
        return purchase;
    }

    [Theory]
    [InlineData("https://evil.example/thanks", null, "payment.successUrl")]
    [InlineData("http://shop.example/thanks", null, "payment.successUrl")] // plain http, not loopback
    [InlineData("https://shop.example.evil.example/thanks", null, "payment.successUrl")]
    [InlineData("https://shop.example:8443/thanks", null, "payment.successUrl")] // another port is another origin
    [InlineData("https://shop.example/thanks", "https://evil.example/cart", "payment.cancelUrl")]
    public async Task ACheckoutReturnOffTheShopsOriginsIsA422NamingTheFieldAndRecordsNothing(string success, string? cancel, string field)
    {
        var admin = _app.Client(await _app.CreateKeyAsync("admin"));
        var checkout = _app.Client(await _app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin);

        var problem = await (await checkout.PostJson("/api/purchases", CheckoutPurchase("RET-1", success, cancel), $"ret-{field}-{success.Length}"))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, field);
        problem.Str("detail").ShouldContain("Checkout__AllowedReturnOrigins");
        (await (await checkout.GetAsync("/api/purchases")).Expect(HttpStatusCode.OK)).AsArray().Count.ShouldBe(0);
        // On the shop's origin the request goes on (to the next refusal: this server has no Stripe key).
        await (await checkout.PostJson("/api/purchases", CheckoutPurchase("RET-2", "https://shop.example/thanks", "https://SHOP.example/cart"), $"ok-{field}-{success.Length}"))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "payment.method");
    }

    [Fact]
    public async Task OnboardingReturnsOffTheShopsOriginsAreRefusedBeforeStripeIsAsked()
    {
        var admin = _app.Client(await _app.CreateKeyAsync("admin"));
        await Seed.ContractCampaignAsync(admin);
        await (await admin.PostJson("/api/charities/read-together/stripe/onboarding", new { returnUrl = "https://evil.example/", refreshUrl = "https://shop.example/again" }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "returnUrl");
        await (await admin.PostJson("/api/charities/read-together/stripe/onboarding", new { returnUrl = "https://shop.example/", refreshUrl = "https://evil.example/" }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "refreshUrl");
        await (await admin.PostJson("/api/charities/read-together/stripe/onboarding", new { returnUrl = "https://x.example/", refreshUrl = "https://shop.example/again" }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "charity"); // allowed: on to "Stripe is not configured"
    }

    [Fact]
    public async Task UnsetOnlyLoopbackIsAllowedAsInTheDemo()
    {
        using var app = new ApiFactory();
        app.Settings.Remove("Checkout:AllowedReturnOrigins");
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin);
        await (await checkout.PostJson("/api/purchases", CheckoutPurchase("RET-3", "https://shop.example/thanks"), "ret-3"))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "payment.successUrl");
        await (await checkout.PostJson("/api/purchases", CheckoutPurchase("RET-4", "http://127.0.0.1:5081/campaigns/literacy-2026"), "ret-4"))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "payment.method");
    }

    [Theory]
    [InlineData("http://shop.example")]
    [InlineData("https://shop.example/thanks")]
    [InlineData("shop.example")]
    public void AnOriginListThatIsNotOriginsStopsTheStart(string origins)
    {
        using var app = new ApiFactory();
        app.Settings["Checkout:AllowedReturnOrigins"] = origins;
        Should.Throw<Exception>(() => app.Address).ToString().ShouldContain("Checkout:AllowedReturnOrigins");
    }

    public void Dispose() => _app.Dispose();
}
