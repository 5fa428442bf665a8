using System.Net;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

public class CampaignTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task CharitiesAndCampaignsCanBeCreatedReadAndUpdated()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var anonymous = app.Client();
        await admin.ConsentingCharityAsync("crud-reading", "Crud Reading");
        await admin.ConsentingCharityAsync("crud-trees", "Crud Trees");
        await (await admin.PostJson("/api/charities", Seed.Charity("crud-reading", "Again"))).ExpectProblem(HttpStatusCode.Conflict, "slug");

        var created = await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "crud", charities: ["crud-reading", "crud-trees"]));
        var campaign = await created.Expect(HttpStatusCode.Created);
        created.Headers.Location!.ToString().ShouldBe("/api/campaigns/crud");
        campaign.Str("status").ShouldBe("active");
        campaign["charities"]!.AsArray().Select(c => c!.Str("slug")).ShouldBe(["crud-reading", "crud-trees"]);
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "crud", charities: ["crud-reading"]))).ExpectProblem(HttpStatusCode.Conflict, "slug");

        var update = Seed.Campaign(slug: "crud", charities: ["crud-trees"], goal: 42);
        var updated = await (await admin.PutJson("/api/campaigns/crud", update)).Expect(HttpStatusCode.OK);
        updated.Long("goal").ShouldBe(42);
        updated["charities"]!.AsArray().Select(c => c!.Str("slug")).ShouldBe(["crud-trees"]);

        await (await admin.PutJson("/api/campaigns/crud", Seed.Campaign(slug: "renamed", charities: ["crud-trees"]))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "slug");
        await (await admin.PutJson("/api/campaigns/missing", Seed.Campaign(slug: "missing", charities: ["crud-trees"]))).ExpectProblem(HttpStatusCode.NotFound);

        var charity = await (await anonymous.GetAsync("/api/charities/crud-trees")).Expect(HttpStatusCode.OK);
        charity["campaigns"]!.AsArray().Select(c => c!.Str("campaign")).ShouldContain("crud");
        await (await anonymous.GetAsync("/api/charities/nobody")).ExpectProblem(HttpStatusCode.NotFound);
        await (await anonymous.GetAsync("/api/campaigns/nothing")).ExpectProblem(HttpStatusCode.NotFound);
        await (await anonymous.GetAsync("/api/receipts/not-a-code")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ACampaignSaysWhatAUnitOfItsMoneyDoesAndTheReceiptCarriesIt()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        await admin.ConsentingCharityAsync("impact-books", "Impact Books");
        var body = Seed.Campaign(slug: "impact", charities: ["impact-books"]);
        body["impact"] = new { amount = 500, singular = "book", plural = "books" };
        var created = await (await admin.PostJson("/api/campaigns", body)).Expect(HttpStatusCode.Created);
        (created.Long("impact.amount"), created.Str("impact.singular"), created.Str("impact.plural")).ShouldBe((500L, "book", "books"));
        (await (await app.Client().GetAsync("/api/campaigns/impact")).Expect(HttpStatusCode.OK)).Str("impact.plural").ShouldBe("books");

        var purchase = await (await app.Client(await app.CreateKeyAsync("checkout")).PostJson("/api/purchases",
            Seed.Purchase("IMPACT-1", campaign: "impact", charity: "impact-books"), "impact-1")).Expect(HttpStatusCode.Created);
        (await (await app.Client().GetAsync($"/api/receipts/{purchase.Str("receiptCode")}")).Expect(HttpStatusCode.OK))["campaign"]!["impact"]!.ToJsonString()
            .ShouldBe("""{"amount":500,"singular":"book","plural":"books"}""");

        // Optional, and all of it or none; an update without it takes it away.
        body.Remove("impact");
        (await (await admin.PutJson("/api/campaigns/impact", body)).Expect(HttpStatusCode.OK))["impact"].ShouldBeNull();
        body["impact"] = new { amount = 0, singular = "book", plural = "books" };
        await (await admin.PutJson("/api/campaigns/impact", body)).ExpectProblem(HttpStatusCode.BadRequest, "impact.amount");
        body["impact"] = new { amount = 500, singular = "", plural = "books" };
        await (await admin.PutJson("/api/campaigns/impact", body)).ExpectProblem(HttpStatusCode.BadRequest, "impact.singular");
        body["impact"] = new { amount = 500, singular = "book", plural = new string('s', 41) };
        await (await admin.PutJson("/api/campaigns/impact", body)).ExpectProblem(HttpStatusCode.BadRequest, "impact.plural");
    }

    [Fact]
    public async Task TheCurrencyCannotChangeOnceACampaignHasPurchases()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, slug: "fixed-currency");
        await (await admin.PutJson("/api/campaigns/fixed-currency", Seed.Campaign(slug: "fixed-currency", currency: "eur"))).Expect(HttpStatusCode.OK);
        await (await admin.PutJson("/api/campaigns/fixed-currency", Seed.Campaign(slug: "fixed-currency", currency: "usd"))).Expect(HttpStatusCode.OK);
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("FC-1", campaign: "fixed-currency"), "fc-1")).Expect(HttpStatusCode.Created);
        await (await admin.PutJson("/api/campaigns/fixed-currency", Seed.Campaign(slug: "fixed-currency", currency: "eur")))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "currency");
        (await (await admin.GetAsync("/api/admin/invariants")).Expect(HttpStatusCode.OK))["ok"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task TheListFiltersByStatusAndShowsTotals()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        await Seed.ContractCampaignAsync(admin, slug: "listed-active");
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "listed-ended", ends: "2026-02-01T00:00:00Z"))).Expect(HttpStatusCode.Created);
        var anonymous = app.Client();

        var active = (await (await anonymous.GetAsync("/api/campaigns?status=active")).Expect(HttpStatusCode.OK)).AsArray();
        active.Select(c => c!.Str("slug")).ShouldContain("listed-active");
        active.Select(c => c!.Str("slug")).ShouldNotContain("listed-ended");
        active.ShouldAllBe(c => c!["totals"]!["raised"] != null);
        var ended = (await (await anonymous.GetAsync("/api/campaigns?status=ended")).Expect(HttpStatusCode.OK)).AsArray();
        ended.Select(c => c!.Str("slug")).ShouldBe(["listed-ended"]);
        await (await anonymous.GetAsync("/api/campaigns?status=soon")).ExpectProblem(HttpStatusCode.BadRequest, "status");
    }

    [Fact]
    public async Task TheDailySeriesFollowsTheClock()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, slug: "daily");
        var start = app.Clock.GetUtcNow();
        try
        {
            await (await checkout.PostJson("/api/purchases", Seed.Purchase("DY-1", campaign: "daily"), "dy-1")).Expect(HttpStatusCode.Created);
            app.Clock.Advance(TimeSpan.FromDays(1));
            await (await checkout.PostJson("/api/purchases", Seed.Purchase("DY-2", campaign: "daily"), "dy-2")).Expect(HttpStatusCode.Created);
            await (await checkout.PostJson("/api/purchases", Seed.Purchase("DY-3", campaign: "daily"), "dy-3")).Expect(HttpStatusCode.Created);
        }
        finally
        {
            app.Clock.Set(start);
        }
        var daily = (await (await app.Client().GetAsync("/api/campaigns/daily")).Expect(HttpStatusCode.OK))["totals"]!["daily"]!.AsArray();
        daily.Select(d => (d!.Str("date"), d!.Long("raised"), d!.Long("cumulative"), d!.Long("purchases")))
            .ShouldBe([("2026-06-01", 351L, 351L, 1L), ("2026-06-02", 702L, 1053L, 2L)]);
    }

    [Fact]
    public async Task RecentPledgesShowAmountsCharitiesAndTimesButNothingPersonal()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, slug: "recent");
        for (var i = 0; i < 3; i++)
        {
            await (await checkout.PostJson("/api/purchases", Seed.Purchase($"RC-{i}", 1000 + i, campaign: "recent", customerRef: "who-am-i"), $"rc-{i}")).Expect(HttpStatusCode.Created);
            app.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        var response = await app.Client().GetAsync("/api/campaigns/recent/pledges/recent?limit=2");
        var text = await response.Content.ReadAsStringAsync();
        var recent = (await response.Expect(HttpStatusCode.OK)).AsArray();
        recent.Count.ShouldBe(2);
        recent[0]!.Long("amount").ShouldBe(PledgeFor(1002));
        recent[1]!.Long("amount").ShouldBe(PledgeFor(1001));
        recent[0]!.Str("charity.slug").ShouldBe("read-together");
        foreach (var secret in new[] { "RC-", "who-am-i", "POS-77", "receiptCode", "orderId" }) text.ShouldNotContain(secret);
        await (await app.Client().GetAsync("/api/campaigns/nope/pledges/recent")).ExpectProblem(HttpStatusCode.NotFound);
        await (await app.Client().GetAsync("/api/campaigns/recent/pledges/recent?limit=0")).ExpectProblem(HttpStatusCode.BadRequest, "limit");

        static long PledgeFor(long amount) => (amount * 500 + 5000) / 10000 + (100 - amount % 100) % 100 + 100;
    }

    [Fact]
    public async Task PublicReadsComeFromTheCacheUntilAWriteMovesTheFigures()
    {
        var admin = app.Client(await app.CreateKeyAsync("admin"));
        var checkout = app.Client(await app.CreateKeyAsync("checkout"));
        await Seed.ContractCampaignAsync(admin, slug: "cached");
        var anonymous = app.Client();

        (await anonymous.GetAsync("/api/campaigns/cached")).Headers.Age.ShouldBeNull();
        var again = await anonymous.GetAsync("/api/campaigns/cached");
        again.Headers.Age.ShouldNotBeNull(); // served from the output cache

        await (await checkout.PostJson("/api/purchases", Seed.Purchase("CA-1", campaign: "cached"), "ca-1")).Expect(HttpStatusCode.Created);
        var fresh = await anonymous.GetAsync("/api/campaigns/cached");
        fresh.Headers.Age.ShouldBeNull(); // the write evicted it
        (await fresh.Json()).Long("totals.raised").ShouldBe(351);
    }
}
