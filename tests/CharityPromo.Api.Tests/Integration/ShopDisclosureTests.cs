using System.Net;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

public sealed class ShopDisclosureTests : IDisposable
{
    private readonly ApiFactory _app = new();

    public ShopDisclosureTests() => _app.Settings["Shop:Name"] = "Corner Books";

    [Fact]
    public async Task CampaignAnswersAndReceiptsCarryTheDisclosureNamingTheShop()
    {
        var admin = _app.Client(await _app.CreateKeyAsync("admin"));
        await Seed.ContractCampaignAsync(admin);
        const string expected = "Corner Books gives 5% of the purchase price, up to $5.00 a purchase, to Read Together from 1 January 2026 to 31 December 2026.";
        (await (await _app.Client().GetAsync("/api/campaigns/literacy-2026")).Expect(HttpStatusCode.OK)).Str("disclosure").ShouldBe(expected);
        (await (await _app.Client().GetAsync("/api/campaigns")).Expect(HttpStatusCode.OK))[0]!.Str("disclosure").ShouldBe(expected);

        var purchase = await (await _app.Client(await _app.CreateKeyAsync("checkout")).PostJson("/api/purchases", Seed.Purchase("D-1"), "d-1")).Expect(HttpStatusCode.Created);
        var receipt = await (await _app.Client().GetAsync($"/api/receipts/{purchase.Str("receiptCode")}")).Expect(HttpStatusCode.OK);
        (receipt.Str("campaign.disclosure"), receipt.Str("shop")).ShouldBe((expected, "Corner Books"));
    }

    public void Dispose() => _app.Dispose();
}
