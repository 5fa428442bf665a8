using CharityPromo.Api.Data;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Purchases;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>Pricing reads a campaign once per write transaction (AppDb.CampaignsRead); it must never price with stale rules.</summary>
public class CampaignsReadTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task PricingSeesWhatEarlierWritesInTheSameTransactionChangedAndNothingCarriesIntoTheNext()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        await Seed.ContractCampaignAsync(admin, slug: "memo", match: new { minPriorPurchases = 0, percentBps = 10_000, budget = 300 });
        var quote = new QuoteRequest("memo", null, "usd", 4999, RoundUp: false, AddOn: 0, CustomerRef: null);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var hasher = scope.ServiceProvider.GetRequiredService<CustomerRefHasher>();
        async Task<DonationBreakdown> PriceAsync() =>
            (await DonationPricer.PriceAsync(db, hasher, quote, app.Clock.GetUtcNow().UtcDateTime, CancellationToken.None)).Priced!.Donation;

        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            (await PriceAsync()).ShouldBe(new DonationBreakdown("usd", MerchantPledge: 250, Match: 250, RoundUp: 0, AddOn: 0));

            // An earlier purchase in the batch used match budget: what is left is read fresh.
            await db.Database.ExecuteSqlAsync($"""UPDATE "Campaigns" SET "MatchUsed" = 200 WHERE "Slug" = 'memo'""");
            (await PriceAsync()).Match.ShouldBe(100);

            // An earlier write in the batch changed the campaign's rule: the remembered campaign is forgotten.
            var campaign = await db.Campaigns.SingleAsync(c => c.Slug == "memo");
            campaign.PercentBps = 200;
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
            (await PriceAsync()).MerchantPledge.ShouldBe(100);
            await tx.CommitAsync();
        }

        // Another instance (here another context) changes the rule; the same pooled context's next transaction sees it.
        await using (var other = app.Services.CreateAsyncScope())
        {
            var otherDb = other.ServiceProvider.GetRequiredService<AppDb>();
            await otherDb.Database.ExecuteSqlAsync($"""UPDATE "Campaigns" SET "PercentBps" = 300 WHERE "Slug" = 'memo'""");
        }
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            (await PriceAsync()).MerchantPledge.ShouldBe(150);
        }
    }
}
