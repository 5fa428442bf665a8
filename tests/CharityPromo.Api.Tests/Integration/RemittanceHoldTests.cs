using System.Net;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>A pledge is remitted only once the hold (<c>Remittances:HoldDays</c>, 7 by default) has passed since it was confirmed.</summary>
public sealed class RemittanceHoldTests : IDisposable
{
    private readonly ApiFactory _app = new();

    public RemittanceHoldTests() => _app.Settings.Remove("Remittances:HoldDays"); // the default, as a shop runs it

    private static object Batch(DateTimeOffset cutoff) => new { charity = "read-together", currency = "usd", cutoffUtc = cutoff };

    [Fact]
    public async Task APledgeWaitsSevenDaysAfterItsConfirmationBeforeABatchTakesIt()
    {
        var admin = _app.Client(await _app.CreateKeyAsync("admin"));
        var checkout = _app.Client(await _app.CreateKeyAsync("checkout"));
        var finance = _app.Client(await _app.CreateKeyAsync("finance"));
        await Seed.ContractCampaignAsync(admin);
        var confirmed = _app.Clock.GetUtcNow();
        var purchase = await (await checkout.PostJson("/api/purchases", Seed.Purchase("HOLD-1"), "hold-1")).Expect(HttpStatusCode.Created);

        _app.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        var early = await (await finance.PostJson("/api/remittances", Batch(_app.Clock.GetUtcNow()))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "cutoffUtc");
        early.Str("detail").ShouldContain("confirmed before the cutoff and 7 days ago (Remittances:HoldDays)");

        _app.Clock.Advance(TimeSpan.FromSeconds(2));
        var batch = await (await finance.PostJson("/api/remittances", Batch(_app.Clock.GetUtcNow()))).Expect(HttpStatusCode.Created);
        batch.Long("amount").ShouldBe(purchase.Long("donation.total"));
        // A pledge confirmed now waits its own week, whatever the cutoff says.
        await (await checkout.PostJson("/api/purchases", Seed.Purchase("HOLD-2"), "hold-2")).Expect(HttpStatusCode.Created);
        _app.Clock.Advance(TimeSpan.FromDays(1));
        await (await finance.PostJson("/api/remittances", Batch(_app.Clock.GetUtcNow()))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "cutoffUtc");
        batch.Str("cutoffUtc").ShouldStartWith(confirmed.AddDays(7).AddSeconds(1).ToString("yyyy-MM-ddTHH:mm:ss"));
        (await (await _app.Client().GetAsync("/api/charities/read-together/payments")).Expect(HttpStatusCode.OK)).Long("holdDays").ShouldBe(7);
    }

    public void Dispose() => _app.Dispose();
}
