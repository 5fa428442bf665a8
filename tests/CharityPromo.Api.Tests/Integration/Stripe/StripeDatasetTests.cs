using System.Net;
using Bogus;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration.Stripe;

/// <summary>Finance's reports over Stripe payments with refunds, disputes and remittances (its own app: the reconciliation covers every purchase).</summary>
public class StripeDatasetTests(StripeFixture fx) : IClassFixture<StripeFixture>
{
    [Fact]
    public async Task AGeneratedStripeDatasetWithRefundsDisputesAndRemittancesTiesOutEverywhere()
    {
        var finance = fx.App.Client(await fx.App.CreateKeyAsync("finance"));
        await (await fx.Admin.PostJson("/api/campaigns", Seed.Campaign(slug: "gen-stripe"))).Expect(HttpStatusCode.Created);
        var faker = new Faker { Random = new Randomizer(3) };
        var paid = new List<(string Id, string Intent, long Amount)>();
        for (var i = 0; i < 30; i++)
        {
            var body = Seed.Purchase($"GS-{i}", faker.Random.Long(60, 90_000), campaign: "gen-stripe", roundUp: faker.Random.Bool(),
                addOn: faker.Random.Bool(0.3f) ? faker.Random.Long(1, 500) : 0, customerRef: null);
            body["payment"] = new { method = "stripe", paymentMethodId = faker.Random.Bool(0.85f) ? "pm_card_visa" : "pm_card_chargeDeclined", confirm = true };
            var response = await fx.Checkout.PostJson("/api/purchases", body, $"gs-{i}");
            if (response.StatusCode == HttpStatusCode.Created)
            {
                var purchase = await response.Json();
                paid.Add((purchase.Str("id"), purchase.Str("payment.paymentIntentId"), purchase.Long("payment.amount")));
            }
            else await response.ExpectProblem(HttpStatusCode.PaymentRequired);
        }
        foreach (var (id, intent, amount) in faker.PickRandom(paid, 8))
        {
            if (faker.Random.Bool()) fx.Stripe.State.Refund(intent, faker.Random.Long(1, amount), []); // from the dashboard
            else await (await fx.Checkout.PostJson($"/api/purchases/{id}/refunds", new { amount = faker.Random.Long(1, amount) }, $"gs-refund-{id}")).Expect(HttpStatusCode.Created);
        }
        await fx.Stripe.Webhooks.DrainAsync();

        // Pay the charity, then disputes arrive: lost ones reverse pledges already remitted.
        fx.App.Clock.Advance(TimeSpan.FromSeconds(1));
        var first = await (await finance.PostJson("/api/remittances", new { charity = "read-together", currency = "usd", cutoffUtc = fx.App.Clock.GetUtcNow() }, "gs-batch-1"))
            .Expect(HttpStatusCode.Created);
        await (await finance.PostJson($"/api/remittances/{first.Str("id")}/paid", new { reference = "BACS-GS-1" }, "gs-paid-1")).Expect(HttpStatusCode.OK);
        foreach (var (_, intent, _) in faker.PickRandom(paid, 6))
        {
            var dispute = fx.Stripe.State.OpenDispute(intent);
            if (faker.Random.Bool(0.7f)) fx.Stripe.State.CloseDispute(dispute.Id, won: faker.Random.Bool(0.4f));
        }
        await fx.Stripe.Webhooks.DrainAsync();
        fx.Stripe.Webhooks.Deliveries.Where(d => d.Status != 200).ShouldBeEmpty();

        var rows = (await (await finance.GetAsync("/api/reports/pledges?format=json&limit=5000&campaign=gen-stripe")).Expect(HttpStatusCode.OK))["items"]!.AsArray().Select(r => r!).ToList();
        rows.Count.ShouldBe(30);
        var net = rows.Sum(r => r.Long("net"));
        (await (await fx.App.Client().GetAsync("/api/campaigns/gen-stripe")).Expect(HttpStatusCode.OK)).Long("totals.raised").ShouldBe(net);
        var summary = await (await finance.GetAsync("/api/reports/summary")).Expect(HttpStatusCode.OK);
        summary["byCampaign"]!.AsArray().Single(c => c!.Str("campaign") == "gen-stripe")!.Long("net").ShouldBe(net);
        rows.Count(r => r.Str("status") == "disputed").ShouldBeGreaterThan(0);

        var report = await (await finance.GetAsync("/api/reports/reconciliation")).Expect(HttpStatusCode.OK);
        report["mismatches"]!.AsArray().Select(m => m!.Str("cause")).Distinct().ShouldBeSubsetOf(["remitted_more_than_net"]);
        var usd = report["totals"]!.AsArray().Single()!;
        usd.Long("paid").ShouldBe(usd.Long("stripeCharged")); // every paid purchase here went through Stripe
        usd.Long("refunded").ShouldBe(usd.Long("stripeRefunded"));
        usd.Long("net").ShouldBe(usd.Long("remitted") + usd.Long("outstanding"));

        // Lost disputes after the payment carry forward: the next batch nets them off, and the books still balance.
        fx.App.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await finance.PostJson("/api/remittances", new { charity = "read-together", currency = "usd", cutoffUtc = fx.App.Clock.GetUtcNow() }, "gs-batch-2");
        if (second.StatusCode == HttpStatusCode.Created) await (await finance.PostJson($"/api/remittances/{(await second.Json()).Str("id")}/paid", new { reference = "BACS-GS-2" }, "gs-paid-2")).Expect(HttpStatusCode.OK);
        var settled = await (await finance.GetAsync("/api/reports/reconciliation")).Expect(HttpStatusCode.OK);
        settled["mismatches"]!.AsArray().ShouldBeEmpty();
        settled["totals"]!.AsArray().Single()!.Long("outstanding").ShouldBe(0);
        await fx.InvariantsHoldAsync();
    }
}
