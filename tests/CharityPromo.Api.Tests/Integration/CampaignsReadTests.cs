using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Data;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Purchases;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>
/// Pricing reads a campaign once per write transaction (AppDb.CampaignsRead); it must never price with stale rules. The
/// campaign is read by hand, not by EF: it must come back exactly as EF reads it, wherever the query runs.
/// </summary>
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
            (await DonationPricer.PriceAsync(db, readers: null, hasher, quote, app.Clock.GetUtcNow().UtcDateTime, CancellationToken.None)).Priced!.Donation;

        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            (await PriceAsync()).ShouldBe(new DonationBreakdown(MerchantPledge: 250, Match: 250, RoundUp: 0, AddOn: 0));

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

    [Fact]
    public async Task ACampaignReadByHandCarriesEveryColumnAsEfReadsIt()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var readers = scope.ServiceProvider.GetRequiredService<SqliteReaders>();
        // Every mapped property set to something other than its default, so a column the hand-written query forgets
        // comes back as a default and differs; charities stored out of display order.
        var campaign = Filled(db, new Campaign { Slug = "by-hand", Name = "", Currency = "" }, seed: 1);
        campaign.Slug = "by-hand";
        var charities = Enumerable.Range(0, 3).Select(i => Filled(db, new Charity { Slug = "", Name = "" }, seed: 10 * (i + 2))).ToList();
        foreach (var (charity, position) in charities.Zip([2, 0, 1]))
            campaign.Charities.Add(new CampaignCharity { CharityId = charity.Id, Charity = charity, Position = position });
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();

        var byEf = await db.Campaigns.AsNoTracking().Include(c => c.Charities).ThenInclude(cc => cc.Charity).SingleAsync(c => c.Slug == "by-hand");
        byEf.Charities.Sort((a, b) => a.Position.CompareTo(b.Position));
        void ShouldMatchEf(Campaign? read, string where)
        {
            read.ShouldNotBeNull(where);
            ShouldHaveSameColumns(db, read, byEf, where);
            read.Charities.Select(cc => cc.Position).ShouldBe([0, 1, 2], where);
            foreach (var (hand, ef) in read.Charities.Zip(byEf.Charities))
            {
                ShouldHaveSameColumns(db, hand, ef, where);
                ShouldHaveSameColumns(db, hand.Charity, ef.Charity, where);
            }
        }

        ShouldMatchEf(await db.FindCampaignAsync("by-hand", readers, default), "on a reader connection");
        ShouldMatchEf(await db.FindCampaignAsync("by-hand", null, default), "on the context's connection");
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            ShouldMatchEf(await db.FindCampaignAsync("by-hand", readers, default), "inside a transaction");
        }
        (await db.FindCampaignAsync("no-such-campaign", readers, default)).ShouldBeNull();
    }

    private static T Filled<T>(AppDb db, T entity, int seed) where T : class
    {
        foreach (var property in db.Model.FindEntityType(typeof(T))!.GetProperties().Where(p => p.PropertyInfo is not null && !p.IsKey()))
        {
            var n = seed + property.GetIndex();
            var type = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
            object value = type == typeof(string) ? $"{property.Name}{n}"[..Math.Min(property.GetMaxLength() ?? 100, $"{property.Name}{n}".Length)]
                : type == typeof(int) ? n : type == typeof(long) ? 1_000_000_000_000L + n : type == typeof(bool) ? true
                : type == typeof(DateTime) ? new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddDays(n).AddTicks(1230) // whole microseconds: PostgreSQL keeps no finer
                : type == typeof(Guid) ? Guid.CreateVersion7()
                : throw new NotSupportedException($"{typeof(T).Name}.{property.Name}: add a value for {type.Name}.");
            property.PropertyInfo!.SetValue(entity, value);
        }
        return entity;
    }

    private static void ShouldHaveSameColumns<T>(AppDb db, T read, T expected, string where)
    {
        foreach (var property in db.Model.FindEntityType(typeof(T))!.GetProperties().Where(p => p.PropertyInfo is not null))
        {
            var (got, want) = (property.PropertyInfo!.GetValue(read), property.PropertyInfo.GetValue(expected));
            got.ShouldBe(want, $"{typeof(T).Name}.{property.Name} {where}");
            if (got is DateTime time) time.Kind.ShouldBe(((DateTime)want!).Kind, $"{typeof(T).Name}.{property.Name}'s kind {where}");
        }
    }
}
