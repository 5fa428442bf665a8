using System.Globalization;
using CharityPromo.Client;
using CharityPromo.Testing;
using CsvHelper;

namespace CharityPromo.Client.Tests;

/// <summary>
/// An integrator's whole checkout story through the client NSwag generates from docs/openapi.json — nothing
/// hand-written between the test and the API but an HttpClient with the key.
/// </summary>
public class GeneratedClientTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    private async Task<CharityPromoClient> ClientAsync(string? scopes) =>
        new(app.Client(scopes is null ? null : await app.CreateKeyAsync(scopes)));

    private static PurchaseRequest ContractPurchase(string orderId, long amount = 4999) => new()
    {
        Campaign = "literacy-2026", Charity = "read-together", OrderId = orderId, Currency = "usd", Amount = amount,
        RoundUp = true, AddOn = 100, CustomerRef = "c-123", Payment = new PaymentRequest { Method = "external", Reference = "POS-77" },
    };

    [Fact]
    public async Task AGeneratedClientQuotesRecordsReplaysRefundsReadsTheReceiptAndExportsTheCsv()
    {
        var admin = await ClientAsync("admin");
        await admin.CreateCharityAsync("setup-charity", new CharityRequest { Slug = "read-together", Name = "Read Together", Description = "Books for every child." });
        await admin.CreateCampaignAsync("setup-campaign", new CampaignRequest
        {
            Slug = "literacy-2026", Name = "Reading for every child", Description = "5% of every purchase.", Currency = "usd", Goal = 1_000_000,
            StartsUtc = DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture), EndsUtc = DateTimeOffset.Parse("2027-01-01T00:00:00Z", CultureInfo.InvariantCulture),
            Charities = ["read-together"], Pledge = new PledgeRuleRequest { PercentBps = 500, CapPerPurchase = 500 }, RoundUp = true, AddOn = true,
        });

        var checkout = await ClientAsync("checkout");
        var quote = await checkout.QuotePledgeAsync(new QuoteRequest
        {
            Campaign = "literacy-2026", Charity = "read-together", Currency = "usd", Amount = 4999, RoundUp = true, AddOn = 100, CustomerRef = "c-123",
        });
        (quote.MerchantPledge, quote.RoundUp, quote.AddOn, quote.Total).ShouldBe((250L, 1L, 100L, 351L));

        var key = Guid.NewGuid().ToString();
        var purchase = await checkout.CreatePurchaseAsync(key, ContractPurchase("ORD-1001"));
        purchase.Status.ShouldBe(PurchaseStatus.Confirmed);
        purchase.Donation!.Total.ShouldBe(351);
        purchase.Payment!.Amount.ShouldBe(5100);

        // A retry with the same key replays the first answer; the same key with another body is a problem document.
        (await checkout.CreatePurchaseAsync(key, ContractPurchase("ORD-1001"))).Id.ShouldBe(purchase.Id);
        var reused = await Should.ThrowAsync<ApiException<HttpValidationProblemDetails>>(() => checkout.CreatePurchaseAsync(key, ContractPurchase("ORD-1002", 6000)));
        reused.StatusCode.ShouldBe(422);
        reused.Result.Errors!.Keys.ShouldContain("Idempotency-Key");
        var duplicate = await Should.ThrowAsync<ApiException<HttpValidationProblemDetails>>(() => checkout.CreatePurchaseAsync(Guid.NewGuid().ToString(), ContractPurchase("ORD-1001")));
        duplicate.StatusCode.ShouldBe(409);
        duplicate.Result.Errors!.Keys.ShouldBe(["orderId"]);

        var refund = await checkout.RefundPurchaseAsync(purchase.Id, Guid.NewGuid().ToString(), new RefundRequest { Amount = 2550 });
        refund.Reversed!.Total.ShouldBe(176);
        refund.Purchase!.Status.ShouldBe(PurchaseStatus.Partially_refunded);

        var anonymous = await ClientAsync(null);
        var receipt = await anonymous.GetReceiptAsync(purchase.ReceiptCode!);
        (receipt.Donation!.Total, receipt.Reversed, receipt.Net).ShouldBe((351L, 176L, 175L));
        receipt.Charity!.Name.ShouldBe("Read Together");
        receipt.Campaign!.Impact.ShouldBeNull();

        // A campaign without impact units or a match reads as one: the document says both may be null.
        var campaign = await anonymous.GetCampaignAsync("literacy-2026");
        (campaign.Impact, campaign.Match).ShouldBe((null, null));
        new System.Reflection.NullabilityInfoContext().Create(typeof(CampaignResponse).GetProperty(nameof(CampaignResponse.Impact))!).ReadState
            .ShouldBe(System.Reflection.NullabilityState.Nullable, "the generated client must type impact as nullable");
        (await anonymous.ListCampaignsAsync(null)).Single().Impact.ShouldBeNull();

        var finance = await ClientAsync("finance");
        using var file = await finance.ExportPledgesCsvAsync(null, null, "literacy-2026", null, null, null);
        file.StatusCode.ShouldBe(200);
        file.Headers["Content-Type"].Single().ShouldStartWith("text/csv");
        using var csv = new CsvReader(new StreamReader(file.Stream), CultureInfo.InvariantCulture);
        var rows = csv.GetRecords<dynamic>().Cast<IDictionary<string, object>>().ToList();
        var row = rows.Single();
        (row["orderId"], row["total"], row["reversed"], row["net"], row["status"]).ShouldBe(("ORD-1001", "351", "176", "175", "partially_refunded"));

        var page = await finance.ExportPledgesAsync(null, null, "literacy-2026", null, null, null, Format2.Json, null, null);
        page.Items!.Single().Net.ShouldBe(175);
    }
}
