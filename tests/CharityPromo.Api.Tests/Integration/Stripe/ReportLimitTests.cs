using System.Diagnostics;
using System.Net;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration.Stripe;

/// <summary>What one key's reports may cost: a bounded number at once, a year of reconciliation, Stripe's calls paced.</summary>
public sealed class ReportLimitTests : IAsyncLifetime
{
    private const string Period = "from=2026-05-01T00:00:00Z&to=2026-07-01T00:00:00Z";
    private readonly ApiFactory _app = new();
    private StripeDouble.StripeDouble _stripe = null!;

    public async Task InitializeAsync()
    {
        _stripe = await StripeDouble.StripeDouble.StartAsync(_app.Clock);
        _app.Settings["Stripe:SecretKey"] = "sk_test_charitypromo";
        _app.Settings["Stripe:ApiBase"] = _stripe.BaseUrl;
        _app.Settings["Stripe:ReconcileEvery"] = "01:00:00";
        _app.Settings["Reports:MaxConcurrent"] = "1";
        _app.Settings["Reports:StripeCallsPerSecond"] = "2";
    }

    [Fact]
    public async Task AReconciliationPacesItsStripeCallsAndHoldsItsKeysOnlyReportSlot()
    {
        var admin = _app.Client(await _app.CreateKeyAsync("admin"));
        var checkout = _app.Client(await _app.CreateKeyAsync("checkout"));
        var finance = _app.Client(await _app.CreateKeyAsync("finance"));
        var colleague = _app.Client(await _app.CreateKeyAsync("finance"));
        await Seed.ContractCampaignAsync(admin);
        for (var i = 0; i < 5; i++)
            await (await checkout.PostJson("/api/purchases", StripeFixture.StripePurchase($"PACE-{i}"), $"pace-{i}")).Expect(HttpStatusCode.Created);
        var before = _stripe.Requests.Count;

        var clock = Stopwatch.StartNew();
        var running = finance.GetAsync($"/api/reports/reconciliation?{Period}");
        await WaitUntilAsync(() => _stripe.Requests.Count > before); // the report holds its slot and is talking to Stripe

        var second = await finance.GetAsync("/api/reports/summary");
        second.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(1));
        await second.ExpectProblem(HttpStatusCode.TooManyRequests);
        await (await colleague.GetAsync("/api/reports/summary")).Expect(HttpStatusCode.OK); // another key has its own slots

        var report = await (await running).Expect(HttpStatusCode.OK);
        var elapsed = clock.Elapsed;
        report.Long("stripePaymentsChecked").ShouldBe(5);
        // Each payment is a PaymentIntent and its refunds: 10 calls at 2 a second after a burst of 2 take 4 s at the least.
        (_stripe.Requests.Count - before).ShouldBe(10);
        elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(3.9));
        await (await finance.GetAsync("/api/reports/summary")).Expect(HttpStatusCode.OK); // the slot is given back
    }

    [Fact]
    public async Task AReconciliationCoversAtMostAYear()
    {
        var finance = _app.Client(await _app.CreateKeyAsync("finance"));
        await (await finance.GetAsync("/api/reports/reconciliation?from=2025-01-01T00:00:00Z&to=2026-01-02T00:00:01Z")).ExpectProblem(HttpStatusCode.BadRequest, "from");
        await (await finance.GetAsync("/api/reports/reconciliation?from=2025-01-01T00:00:00Z&to=2026-01-02T00:00:00Z")).Expect(HttpStatusCode.OK); // 366 days
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        condition().ShouldBeTrue();
    }

    public async Task DisposeAsync()
    {
        await _stripe.DisposeAsync();
        await _app.DisposeAsync();
    }
}
