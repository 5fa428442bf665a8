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
        await (await admin.PostJson("/api/charities", Seed.Charity())).Expect(HttpStatusCode.Created);
        await (await admin.PostJson("/api/charities", Seed.Charity("tree-fund", "Tree Fund"))).Expect(HttpStatusCode.Created);
        await (await admin.PostJson("/api/charities", Seed.Charity())).ExpectProblem(HttpStatusCode.Conflict, "slug");

        var created = await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "crud", charities: ["read-together", "tree-fund"]));
        var campaign = await created.Expect(HttpStatusCode.Created);
        created.Headers.Location!.ToString().ShouldBe("/api/campaigns/crud");
        campaign.Str("status").ShouldBe("active");
        campaign["charities"]!.AsArray().Select(c => c!.Str("slug")).ShouldBe(["read-together", "tree-fund"]);
        await (await admin.PostJson("/api/campaigns", Seed.Campaign(slug: "crud"))).ExpectProblem(HttpStatusCode.Conflict, "slug");

        var update = Seed.Campaign(slug: "crud", charities: ["tree-fund"], goal: 42);
        var updated = await (await admin.PutJson("/api/campaigns/crud", update)).Expect(HttpStatusCode.OK);
        updated.Long("goal").ShouldBe(42);
        updated["charities"]!.AsArray().Select(c => c!.Str("slug")).ShouldBe(["tree-fund"]);

        await (await admin.PutJson("/api/campaigns/crud", Seed.Campaign(slug: "renamed"))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "slug");
        await (await admin.PutJson("/api/campaigns/missing", Seed.Campaign(slug: "missing"))).ExpectProblem(HttpStatusCode.NotFound);

        var charity = await (await anonymous.GetAsync("/api/charities/tree-fund")).Expect(HttpStatusCode.OK);
        charity["campaigns"]!.AsArray().Select(c => c!.Str("campaign")).ShouldContain("crud");
        await (await anonymous.GetAsync("/api/charities/nobody")).ExpectProblem(HttpStatusCode.NotFound);
        await (await anonymous.GetAsync("/api/campaigns/nothing")).ExpectProblem(HttpStatusCode.NotFound);
        await (await anonymous.GetAsync("/api/receipts/not-a-code")).ExpectProblem(HttpStatusCode.NotFound);
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
}
