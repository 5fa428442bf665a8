using System.Net;
using CharityPromo.Api.Data;
using CharityPromo.Api.Ledger;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Purchases;
using CharityPromo.Testing;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>
/// The ledger writer's own promises, on the real database: entries are posted only inside a transaction, a movement the
/// unique key refuses never reaches the totals, a totals row that is not there fails the write, and each entry says
/// where it came from. Each test rolls its transaction back, so the app's figures stay as the API left them.
/// </summary>
public class LedgerWriterTests(ApiFactory app) : IClassFixture<ApiFactory>
{
    private static readonly DateTime Now = new(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>An external purchase recorded over the API by a checkout key named <paramref name="keyName"/> (key names are unique).</summary>
    private async Task<Guid> PurchaseAsync(string orderId, string? keyName = null)
    {
        await Seed.ContractCampaignAsync(app.Client(await app.CreateKeyAsync("admin")));
        var checkout = app.Client(await app.CreateKeyAsync("checkout", keyName ?? $"till-{orderId.ToLowerInvariant()}"));
        var created = await (await checkout.PostJson("/api/purchases", Seed.Purchase(orderId), orderId)).Expect(HttpStatusCode.Created);
        return Guid.Parse(created.Str("id"));
    }

    private static Purchase NewPurchase(Purchase like, string currency) => new()
    {
        ClientId = like.ClientId, OrderId = $"NEW-{Guid.NewGuid():N}", ReceiptCode = $"T{Guid.NewGuid():N}"[..12], CampaignId = like.CampaignId,
        CharityId = like.CharityId, Currency = currency, Amount = 1000, Donation = new DonationBreakdown(50, 0, 0, 0), DonationTotal = 50,
        Status = PurchaseStatus.Pending, PaymentMethod = "external", PaymentStatus = PaymentStatuses.NotStarted, CreatedUtc = Now,
    };

    /// <summary>Runs <paramref name="test"/> in a transaction that is rolled back after, as the writer's would be after a failed write.</summary>
    private Task InRolledBackTransactionAsync(Func<AppDb, Task> test) => app.WithDbAsync(async db =>
    {
        await using var tx = await db.Database.BeginTransactionAsync();
        await test(db);
        await tx.RollbackAsync();
        return 0;
    });

    [Fact]
    public async Task EachEntryOfAnExternalPurchaseSaysWhoRecordedItAndWhatPaidIt()
    {
        var id = await PurchaseAsync("LEDGER-SOURCE", keyName: "till-7");
        var entries = await app.WithDbAsync(db => db.Ledger.AsNoTracking().Where(l => l.PurchaseId == id).ToListAsync());
        entries.OrderBy(e => e.Kind).Select(e => (e.Kind, e.Cause, e.Reference, e.Amount)).ShouldBe([
            (LedgerKind.Pledged, "purchase", "client:till-7", 351L),
            (LedgerKind.Confirmed, "purchase", "external:POS-77", 351L),
        ]);
    }

    [Fact]
    public async Task EntriesArePostedOnlyInsideTheWriteTransaction()
    {
        var id = await PurchaseAsync("LEDGER-NO-TX");
        await app.WithDbAsync(async db =>
        {
            var purchase = await db.Purchases.SingleAsync(p => p.Id == id);
            var before = await db.Ledger.CountAsync();
            var reversal = LedgerWriter.Entry(purchase, LedgerKind.Reversed, new DonationBreakdown(1, 0, 0, 0), "refund:outside", null, Now);
            var attempts = new Func<Task>[]
            {
                () => LedgerWriter.PostAsync(db, [reversal], default),
                () => LedgerWriter.PostRemittedAsync(db, [LedgerWriter.Remittance(purchase, 1, Guid.NewGuid(), null, Now)], default),
                () => LedgerWriter.PostNewPurchaseAsync(db, NewPurchase(purchase, "usd"), [], null, [], default),
            };
            foreach (var attempt in attempts)
                (await Should.ThrowAsync<InvalidOperationException>(attempt)).Message.ShouldBe("Ledger entries are posted inside the write transaction only.");
            db.ChangeTracker.Clear();
            (await db.Ledger.CountAsync()).ShouldBe(before);
            return 0;
        });
    }

    [Fact]
    public async Task AMovementTheUniqueKeyRefusesNeverReachesTheTotals()
    {
        var id = await PurchaseAsync("LEDGER-DUPLICATE");
        await InRolledBackTransactionAsync(async db =>
        {
            var purchase = await db.Purchases.SingleAsync(p => p.Id == id);
            var totals = await db.CampaignTotals.AsNoTracking().SingleAsync(t => t.CampaignId == purchase.CampaignId && t.Currency == "usd");

            // The purchase is confirmed already: a second confirmation is the same (purchase, kind, cause).
            await Should.ThrowAsync<DbUpdateException>(() => LedgerWriter.PostAsync(db,
                [LedgerWriter.Entry(purchase, LedgerKind.Confirmed, purchase.Donation, LedgerWriter.PurchaseCause, "evt_again", Now)], default));

            var after = await db.CampaignTotals.AsNoTracking().SingleAsync(t => t.CampaignId == purchase.CampaignId && t.Currency == "usd");
            (after.Pending, after.Confirmed, after.Reversed, after.Purchases).ShouldBe((totals.Pending, totals.Confirmed, totals.Reversed, totals.Purchases));
        });
    }

    [Fact]
    public async Task APostingWithNoTotalsRowToMoveFails()
    {
        var id = await PurchaseAsync("LEDGER-NO-ROW");
        await InRolledBackTransactionAsync(async db =>
        {
            var like = await db.Purchases.AsNoTracking().SingleAsync(p => p.Id == id);
            // The campaign raises in dollars: it has no euro totals row for a euro pledge to move.
            var stray = NewPurchase(like, "eur");
            var error = await Should.ThrowAsync<InvalidOperationException>(() => LedgerWriter.PostNewPurchaseAsync(db, stray,
                [LedgerWriter.Entry(stray, LedgerKind.Pledged, stray.Donation, LedgerWriter.PurchaseCause, null, Now)], null, [], default));
            error.Message.ShouldBe($"No totals row for campaign {like.CampaignId}, charity {like.CharityId}, eur.");
        });
    }

    [Fact]
    public async Task ANewPurchaseAnswersWhatTheStatementSentAlongsideChanged()
    {
        var id = await PurchaseAsync("LEDGER-ALONGSIDE");
        await InRolledBackTransactionAsync(async db =>
        {
            var like = await db.Purchases.AsNoTracking().SingleAsync(p => p.Id == id);
            async Task<int> PostAsync(FormattableString? alongside)
            {
                var purchase = NewPurchase(like, "usd");
                return await LedgerWriter.PostNewPurchaseAsync(db, purchase,
                    [LedgerWriter.Entry(purchase, LedgerKind.Pledged, purchase.Donation, LedgerWriter.PurchaseCause, null, Now)], alongside, [], default);
            }

            (await PostAsync(null)).ShouldBe(0);
            (await PostAsync($"""UPDATE "Campaigns" SET "Goal" = "Goal" WHERE "Id" = {like.CampaignId}""")).ShouldBe(1);
            (await PostAsync($"""UPDATE "Campaigns" SET "Goal" = "Goal" WHERE "Id" = {Guid.NewGuid()}""")).ShouldBe(0);
        });
    }

    [Fact]
    public async Task OnlyRemittanceEntriesTakeThePathThatMovesOnlyWhatWasPaidAndAnUnknownKindIsRefused()
    {
        var id = await PurchaseAsync("LEDGER-KINDS");
        await InRolledBackTransactionAsync(async db =>
        {
            var purchase = await db.Purchases.SingleAsync(p => p.Id == id);
            var reversal = LedgerWriter.Entry(purchase, LedgerKind.Reversed, new DonationBreakdown(1, 0, 0, 0), "refund:kinds", null, Now);
            var remitted = LedgerWriter.Remittance(purchase, 1, Guid.NewGuid(), null, Now);
            var wrongPath = await Should.ThrowAsync<ArgumentException>(() => LedgerWriter.PostRemittedAsync(db, [remitted, reversal], default)); // one is enough
            wrongPath.Message.ShouldStartWith("Only remittance entries move what was paid and nothing else.");
            (await db.Ledger.CountAsync(l => l.PurchaseId == id && l.Kind == LedgerKind.Remitted)).ShouldBe(0);

            var unknown = LedgerWriter.Entry(purchase, (LedgerKind)99, new DonationBreakdown(1, 0, 0, 0), "unknown", null, Now);
            var refused = await Should.ThrowAsync<ArgumentOutOfRangeException>(() => LedgerWriter.PostAsync(db, [unknown], default));
            refused.Message.ShouldStartWith("Unknown ledger kind.");
        });
    }
}
