using System.Net;
using System.Text.Json.Nodes;
using CharityPromo.StripeDouble;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration.Stripe;

/// <summary>Charities on Stripe Connect: onboarding, remittances paid by transfer, reversals, and the reconciliation of transfers.</summary>
public class StripeConnectTests(StripeFixture fx) : IClassFixture<StripeFixture>, IAsyncLifetime
{
    private HttpClient _finance = null!;

    public async Task InitializeAsync() => _finance = fx.App.Client(await fx.App.CreateKeyAsync("finance"));

    public Task DisposeAsync() => Task.CompletedTask;

    private static object Onboarding => new { returnUrl = "https://shop.example/charities/done", refreshUrl = "https://shop.example/charities/again", country = "US" };

    /// <summary>A charity of its own, with a campaign; onboarded on Stripe (the charity fills in the form behind the link) unless told not to.</summary>
    private async Task<string> CharityAsync(string slug, bool onboard = true)
    {
        await fx.Admin.ConsentingCharityAsync(slug, $"Charity {slug}");
        await (await fx.Admin.PostJson("/api/campaigns", Seed.Campaign(slug: $"{slug}-campaign", charities: [slug]))).Expect(HttpStatusCode.Created);
        if (!onboard) return slug;
        var link = await (await fx.Admin.PostJson($"/api/charities/{slug}/stripe/onboarding", Onboarding)).Expect(HttpStatusCode.OK);
        await FinishFormAsync(link.Str("url"));
        return slug;
    }

    /// <summary>What the charity does with the link: opens Stripe's form and finishes it, and Stripe sends it back to the return URL.</summary>
    private async Task FinishFormAsync(string url)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        (await browser.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var done = await browser.PostAsync(url, null);
        done.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        done.Headers.Location!.ToString().ShouldBe("https://shop.example/charities/done");
        await fx.Stripe.Webhooks.DrainAsync();
    }

    /// <summary>Paid purchases for the charity, then a draft batch of them.</summary>
    private async Task<JsonNode> DraftBatchAsync(string charity, params long[] amounts)
    {
        foreach (var (amount, i) in amounts.Select((a, i) => (a, i)))
            await (await fx.Checkout.PostJson("/api/purchases", Seed.Purchase($"{charity}-{i}", amount, campaign: $"{charity}-campaign", charity: charity, customerRef: null),
                $"{charity}-{i}")).Expect(HttpStatusCode.Created);
        fx.App.Clock.Advance(TimeSpan.FromMinutes(1));
        return await (await _finance.PostJson("/api/remittances", new { charity, currency = "usd", cutoffUtc = fx.App.Clock.GetUtcNow() })).Expect(HttpStatusCode.Created);
    }

    private Task<HttpResponseMessage> TransferAsync(JsonNode batch) => _finance.PostAsync($"/api/remittances/{batch.Str("id")}/transfer", null);

    private int TransfersTo(string account) => fx.Stripe.State.Locked(_ => fx.Stripe.State.Transfers.Values.Count(t => t.Destination == account));

    private async Task<string> AccountOfAsync(string charity) => (await (await fx.Admin.GetAsync($"/api/charities/{charity}")).Expect(HttpStatusCode.OK)).Str("stripeAccountId");

    [Fact]
    public async Task OnboardingMakesOneAccountAndEachCallAFreshLinkAndStripesNewsSaysWhenItCanReceiveTransfers()
    {
        var charity = await CharityAsync("connect-onboard", onboard: false);
        var first = await (await fx.Admin.PostJson($"/api/charities/{charity}/stripe/onboarding", Onboarding)).Expect(HttpStatusCode.OK);
        var again = await (await fx.Admin.PostJson($"/api/charities/{charity}/stripe/onboarding", Onboarding)).Expect(HttpStatusCode.OK);
        var account = first.Str("stripeAccountId");
        account.ShouldStartWith("acct_");
        again.Str("stripeAccountId").ShouldBe(account);
        again.Str("url").ShouldNotBe(first.Str("url"));
        first["canReceiveTransfers"]!.GetValue<bool>().ShouldBeFalse();
        var made = fx.Stripe.State.Locked(_ => fx.Stripe.State.Accounts.Values.Where(a => a.Metadata.GetValueOrDefault("charity") == charity).ToList());
        made.Count.ShouldBe(1);
        made[0].Capabilities.Keys.ShouldBe(["transfers"]);
        made[0].Type.ShouldBe("express");
        var create = fx.Stripe.Requests.Single(r => r.Path == "/v1/accounts" && r.Body.Contains(charity));
        create.IdempotencyKey.ShouldStartWith("charity:");
        Uri.UnescapeDataString(create.Body).Split('&').ShouldContain("capabilities[transfers][requested]=true");

        // Admins see the account and what it can do; the public never does.
        var shown = await (await fx.Admin.GetAsync($"/api/charities/{charity}")).Expect(HttpStatusCode.OK);
        shown.Str("stripeAccountId").ShouldBe(account);
        shown["canReceiveTransfers"]!.GetValue<bool>().ShouldBeFalse();
        var anonymous = await (await fx.App.Client().GetAsync($"/api/charities/{charity}")).Expect(HttpStatusCode.OK);
        anonymous.AsObject().ContainsKey("stripeAccountId").ShouldBeFalse();
        anonymous.AsObject().ContainsKey("canReceiveTransfers").ShouldBeFalse();

        await FinishFormAsync(again.Str("url"));
        var enabled = await (await fx.Admin.GetAsync($"/api/charities/{charity}")).Expect(HttpStatusCode.OK);
        enabled["canReceiveTransfers"]!.GetValue<bool>().ShouldBeTrue();
        enabled["payoutsEnabled"]!.GetValue<bool>().ShouldBeTrue();
        (await (await fx.App.Client().GetAsync($"/api/charities/{charity}")).Expect(HttpStatusCode.OK)).AsObject().ContainsKey("stripeAccountId").ShouldBeFalse();

        // Stripe needs more from the charity: transfers stop until it gives it.
        fx.Stripe.State.RestrictAccount(account);
        await fx.Stripe.Webhooks.DrainAsync();
        (await (await fx.Admin.GetAsync($"/api/charities/{charity}")).Expect(HttpStatusCode.OK))["canReceiveTransfers"]!.GetValue<bool>().ShouldBeFalse();

        // On record: the account made by the admin's call, once; each change Stripe's news made, by Stripe.
        var trail = (await AuditTrailTests.TrailAsync(fx.Admin, "&kind=charity")).Where(e => e.Str("subject") == $"charity:{charity}").ToList();
        trail.Select(e => e.Str("kind")).ShouldBe(["charity.created", "charity.stripe_account_created", "charity.stripe_account_updated", "charity.stripe_account_updated"]);
        AuditTrailTests.Change(trail[1], "stripeAccountId").Str("after").ShouldBe(account);
        trail[1].Str("actor").ShouldNotBe("stripe");
        trail.Skip(2).ShouldAllBe(e => e.Str("actor") == "stripe");
        AuditTrailTests.Change(trail[3], "stripeTransfersEnabled").Str("after").ShouldBe("false");
    }

    [Fact]
    public async Task OnboardingIsForAdminsAndNeedsUrlsStripeCanSendTheCharityTo()
    {
        var charity = await CharityAsync("connect-rules", onboard: false);
        (await _finance.PostJson($"/api/charities/{charity}/stripe/onboarding", Onboarding)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await fx.App.Client().PostJson($"/api/charities/{charity}/stripe/onboarding", Onboarding)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await (await fx.Admin.PostJson($"/api/charities/{charity}/stripe/onboarding", new { returnUrl = "javascript:alert(1)", refreshUrl = "https://x.example" }))
            .ExpectProblem(HttpStatusCode.BadRequest, "returnUrl");
        await (await fx.Admin.PostJson($"/api/charities/{charity}/stripe/onboarding", new { returnUrl = "https://x.example", refreshUrl = "https://x.example", country = "usa" }))
            .ExpectProblem(HttpStatusCode.BadRequest, "country");
        await (await fx.Admin.PostJson("/api/charities/nobody-here/stripe/onboarding", Onboarding)).ExpectProblem(HttpStatusCode.NotFound);
        fx.Stripe.State.Locked(_ => fx.Stripe.State.Accounts.Values.Count(a => a.Metadata.GetValueOrDefault("charity") == charity)).ShouldBe(0);
    }

    [Fact]
    public async Task ABatchIsPaidByOneTransferOfItsAmountAndARetryChangesNothing()
    {
        var charity = await CharityAsync("connect-pay");
        var account = await AccountOfAsync(charity);
        fx.Stripe.State.SetAvailable("usd", 1_000_000);
        var batch = await DraftBatchAsync(charity, 4999, 2000, 10_000);

        var paid = await (await TransferAsync(batch)).Expect(HttpStatusCode.OK);
        paid.Str("status").ShouldBe("paid");
        var transferId = paid.Str("transferId");
        paid.Str("reference").ShouldBe(transferId);
        paid.Long("transferReversed").ShouldBe(0);
        var transfer = fx.Stripe.State.Locked(_ => fx.Stripe.State.Transfers[transferId]);
        transfer.Amount.ShouldBe(batch.Long("amount"));
        transfer.Currency.ShouldBe("usd");
        transfer.Destination.ShouldBe(account);
        transfer.TransferGroup.ShouldBe($"remittance:{batch.Str("id")}");
        fx.Stripe.Requests.Single(r => r.Path == "/v1/transfers" && r.Method == "POST" && r.Body.Contains(batch.Str("id"))).IdempotencyKey
            .ShouldBe($"remittance:{batch.Str("id")}:transfer");

        var retried = await (await TransferAsync(batch)).Expect(HttpStatusCode.OK);
        retried.Str("transferId").ShouldBe(transferId);
        TransfersTo(account).ShouldBe(1);
        await (await _finance.PostJson($"/api/remittances/{batch.Str("id")}/paid", new { reference = "BANK-1" })).ExpectProblem(HttpStatusCode.Conflict, "status");
        await fx.Stripe.Webhooks.DrainAsync(); // transfer.created finds the batch paid already
        (await (await _finance.GetAsync("/api/reports/liability")).Expect(HttpStatusCode.OK))["charities"]!.AsArray()
            .Where(c => c!.Str("charity") == charity).Sum(c => c!.Long("total")).ShouldBe(0);
        await fx.InvariantsHoldAsync();

        // Started by the finance key and paid once, however often it was retried and Stripe's news came: by whichever of
        // the request and Stripe's transfer.created got there first.
        var trail = (await AuditTrailTests.TrailAsync(fx.Admin, "&kind=remittance")).Where(e => e.Str("subject") == $"remittance:{batch.Str("id")}").ToList();
        trail.Select(e => e.Str("kind")).ShouldBe(["remittance.created", "remittance.transfer_started", "remittance.paid"]);
        trail[1].Str("actor").ShouldBe(trail[0].Str("actor"));
        trail[2].Str("actor").ShouldBeOneOf(trail[0].Str("actor"), "stripe");
        AuditTrailTests.Change(trail[2], "transferId").Str("after").ShouldBe(transferId);
    }

    [Fact]
    public async Task StripesRefusalsAre422sThatLeaveTheBatchADraftToTryAgainOrPayByBank()
    {
        var notOnboarded = await CharityAsync("connect-none", onboard: false);
        var unpaid = await DraftBatchAsync(notOnboarded, 3000);
        await (await TransferAsync(unpaid)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "charity");

        var charity = await CharityAsync("connect-short");
        var account = await AccountOfAsync(charity);
        var batch = await DraftBatchAsync(charity, 4999);
        fx.Stripe.State.SetAvailable("usd", 10); // the platform's balance is short
        var refused = await (await TransferAsync(batch)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "transfer");
        refused.Str("code").ShouldBe("balance_insufficient");
        var draft = await (await _finance.GetAsync($"/api/remittances/{batch.Str("id")}")).Expect(HttpStatusCode.OK);
        draft.Str("status").ShouldBe("draft");
        draft["transferStartedUtc"].ShouldBeNull();
        TransfersTo(account).ShouldBe(0);

        // Stripe keeps its refusal under the first key; the next attempt, with money there, takes a new one.
        fx.Stripe.State.SetAvailable("usd", 1_000_000);
        var paid = await (await TransferAsync(batch)).Expect(HttpStatusCode.OK);
        paid.Str("status").ShouldBe("paid");
        fx.Stripe.Requests.Where(r => r.Path == "/v1/transfers" && r.Method == "POST" && r.Body.Contains(batch.Str("id"))).Select(r => r.IdempotencyKey)
            .ShouldBe([$"remittance:{batch.Str("id")}:transfer", $"remittance:{batch.Str("id")}:transfer:1"]);
        TransfersTo(account).ShouldBe(1);

        // Stripe stopped the account before its news reached us: Stripe's own refusal, named.
        var stopped = await CharityAsync("connect-stopped");
        var second = await DraftBatchAsync(stopped, 2500);
        fx.Stripe.Webhooks.Mode = DeliveryMode.Hold;
        try
        {
            fx.Stripe.State.RestrictAccount(await AccountOfAsync(stopped));
            (await (await TransferAsync(second)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "transfer")).Str("code").ShouldBe("insufficient_capabilities_for_transfer");
        }
        finally
        {
            fx.Stripe.Webhooks.Mode = DeliveryMode.Immediate;
            await fx.Stripe.Webhooks.DeliverHeldAsync();
        }
        // It can still be paid by bank.
        (await (await _finance.PostJson($"/api/remittances/{second.Str("id")}/paid", new { reference = "BANK-77" })).Expect(HttpStatusCode.OK)).Str("status").ShouldBe("paid");
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task AnAnswerLostAfterStripeMadeTheTransferNeverMakesASecondOne()
    {
        var charity = await CharityAsync("connect-lost");
        var account = await AccountOfAsync(charity);
        fx.Stripe.State.SetAvailable("usd", 1_000_000);
        var batch = await DraftBatchAsync(charity, 4999, 1500);
        var id = batch.Str("id");

        fx.Stripe.Webhooks.Mode = DeliveryMode.Hold; // transfer.created would finish the batch on its own: see the retry do it
        try
        {
            fx.Stripe.FailNext(new Fault(500, AfterHandling: true, Path: "/v1/transfers"));
            (await (await TransferAsync(batch)).ExpectProblem(HttpStatusCode.ServiceUnavailable)).Str("remittanceId").ShouldBe(id);
            TransfersTo(account).ShouldBe(1);

            // Started: neither a bank payment nor a delete can slip in now.
            await (await _finance.PostJson($"/api/remittances/{id}/paid", new { reference = "BANK-2" })).ExpectProblem(HttpStatusCode.Conflict, "status");
            await (await _finance.DeleteAsync($"/api/remittances/{id}")).ExpectProblem(HttpStatusCode.Conflict, "status");
            var started = await (await _finance.GetAsync($"/api/remittances/{id}")).Expect(HttpStatusCode.OK);
            started.Str("status").ShouldBe("draft");
            started["transferStartedUtc"].ShouldNotBeNull();

            var paid = await (await TransferAsync(batch)).Expect(HttpStatusCode.OK);
            paid.Str("status").ShouldBe("paid");
            TransfersTo(account).ShouldBe(1);
            paid.Str("transferId").ShouldBe(fx.Stripe.State.Locked(_ => fx.Stripe.State.Transfers.Values.Single(t => t.Destination == account).Id));
        }
        finally
        {
            fx.Stripe.Webhooks.Mode = DeliveryMode.Immediate;
            await fx.Stripe.Webhooks.DeliverHeldAsync();
        }
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task StripesTransferCreatedFinishesABatchWhoseRequestNeverHeardBack()
    {
        var charity = await CharityAsync("connect-webhook");
        fx.Stripe.State.SetAvailable("usd", 1_000_000);
        var batch = await DraftBatchAsync(charity, 2000);
        fx.Stripe.FailNext(new Fault(500, AfterHandling: true, Path: "/v1/transfers"));
        await (await TransferAsync(batch)).ExpectProblem(HttpStatusCode.ServiceUnavailable);
        await fx.Stripe.Webhooks.DrainAsync();
        var paid = await (await _finance.GetAsync($"/api/remittances/{batch.Str("id")}")).Expect(HttpStatusCode.OK);
        paid.Str("status").ShouldBe("paid");
        paid.Str("transferId").ShouldStartWith("tr_");
        await fx.InvariantsHoldAsync();
    }

    [Fact]
    public async Task AReversedTransferReopensItsShareOfEachPledgeForTheNextBatchAndTheStatementShowsIt()
    {
        var charity = await CharityAsync("connect-reverse");
        fx.Stripe.State.SetAvailable("usd", 1_000_000);
        var batch = await DraftBatchAsync(charity, 4999, 3333, 12_345);
        var amount = batch.Long("amount");
        var transferId = (await (await TransferAsync(batch)).Expect(HttpStatusCode.OK)).Str("transferId");

        var part = amount / 3;
        fx.Stripe.State.ReverseTransfer(transferId, part);
        await fx.Stripe.Webhooks.DrainAsync();
        var reversed = await (await _finance.GetAsync($"/api/remittances/{batch.Str("id")}")).Expect(HttpStatusCode.OK);
        reversed.Long("transferReversed").ShouldBe(part);
        var statement = await (await _finance.GetAsync($"/api/remittances/{batch.Str("id")}/statement")).Expect(HttpStatusCode.OK);
        var lines = statement["lines"]!.AsArray();
        lines.Sum(l => l!.Long("reopened")).ShouldBe(part);
        foreach (var line in lines) line!.Long("reopened").ShouldBeInRange(0, line!.Long("amount"));
        (await (await _finance.GetAsync($"/api/remittances/{batch.Str("id")}/statement?format=csv")).Content.ReadAsStringAsync())
            .Split('\n')[0].ShouldEndWith(",reopened,reopenedMajor\r");
        await fx.InvariantsHoldAsync();

        // Finance's reports count the reopened share as owed again, not as remitted.
        var summary = await (await _finance.GetAsync("/api/reports/summary")).Expect(HttpStatusCode.OK);
        var month = summary["byCharityMonth"]!.AsArray().Single(l => l!.Str("charity") == charity)!;
        (month.Long("net"), month.Long("remitted"), month.Long("outstanding")).ShouldBe((amount, amount - part, part));
        var campaignLine = summary["byCampaign"]!.AsArray().Single(l => l!.Str("campaign") == $"{charity}-campaign")!;
        (campaignLine.Long("remitted"), campaignLine.Long("outstanding")).ShouldBe((amount - part, part));
        var liability = await (await _finance.GetAsync("/api/reports/liability")).Expect(HttpStatusCode.OK);
        liability["charities"]!.AsArray().Single(l => l!.Str("charity") == charity)!.Long("total").ShouldBe(part);
        var day = fx.App.Clock.GetUtcNow().Date;
        var reconciliation = await (await _finance.GetAsync($"/api/reports/reconciliation?from={day:yyyy-MM-dd}T00:00:00Z&to={day.AddDays(1):yyyy-MM-dd}T00:00:00Z"))
            .Expect(HttpStatusCode.OK);
        reconciliation["mismatches"]!.AsArray().Where(m => m!.Str("orderId").StartsWith($"{charity}-", StringComparison.Ordinal)).ShouldBeEmpty();
        reconciliation["transferMismatches"]!.AsArray().Where(m => m!.Str("remittanceId") == batch.Str("id")).ShouldBeEmpty();

        // The reversed share is owed again, and the next batch gathers exactly it.
        fx.App.Clock.Advance(TimeSpan.FromMinutes(1));
        var next = await (await _finance.PostJson("/api/remittances", new { charity, currency = "usd", cutoffUtc = fx.App.Clock.GetUtcNow() })).Expect(HttpStatusCode.Created);
        next.Long("amount").ShouldBe(part);
        await (await _finance.DeleteAsync($"/api/remittances/{next.Str("id")}")).Expect(HttpStatusCode.NoContent);

        // The rest, and the same news again, out of order: the batch ends fully reversed, once.
        fx.Stripe.State.ReverseTransfer(transferId, null);
        await fx.Stripe.Webhooks.DrainAsync();
        var replay = fx.Stripe.State.Locked(_ => fx.Stripe.State.Events.Where(e => e.Type == "transfer.reversed").ToList());
        foreach (var e in Enumerable.Reverse(replay)) await fx.Stripe.Webhooks.SendAsync(e);
        (await (await _finance.GetAsync($"/api/remittances/{batch.Str("id")}")).Expect(HttpStatusCode.OK)).Long("transferReversed").ShouldBe(amount);
        fx.App.Clock.Advance(TimeSpan.FromMinutes(1));
        (await (await _finance.PostJson("/api/remittances", new { charity, currency = "usd", cutoffUtc = fx.App.Clock.GetUtcNow() })).Expect(HttpStatusCode.Created))
            .Long("amount").ShouldBe(amount);
        await fx.InvariantsHoldAsync();

        var reversals = (await AuditTrailTests.TrailAsync(fx.Admin, "&kind=remittance.transfer_reversed")).Where(e => e.Str("subject") == $"remittance:{batch.Str("id")}").ToList();
        reversals.Select(e => (AuditTrailTests.Change(e, "transferReversed").Str("before"), AuditTrailTests.Change(e, "transferReversed").Str("after")))
            .ShouldBe([("0", part.ToString()), (part.ToString(), amount.ToString())]); // the replays changed nothing, so added nothing
        reversals.ShouldAllBe(e => e.Str("actor") == "stripe");
    }

    [Fact]
    public async Task ReconciliationComparesEachBatchPaidByTransferWithStripesTransfer()
    {
        var from = fx.App.Clock.GetUtcNow();
        var charity = await CharityAsync("connect-reconcile");
        fx.Stripe.State.SetAvailable("usd", 1_000_000);
        var matching = await DraftBatchAsync(charity, 2000);
        await (await TransferAsync(matching)).Expect(HttpStatusCode.OK);
        var other = await CharityAsync("connect-reconcile-2");
        var missed = await DraftBatchAsync(other, 3000);
        var missedTransfer = (await (await TransferAsync(missed)).Expect(HttpStatusCode.OK)).Str("transferId");

        // A reversal whose webhook never arrives.
        fx.Stripe.Webhooks.Mode = DeliveryMode.Hold;
        try
        {
            fx.Stripe.State.ReverseTransfer(missedTransfer, 100);
        }
        finally
        {
            fx.Stripe.Webhooks.DropHeld();
            fx.Stripe.Webhooks.Mode = DeliveryMode.Immediate;
        }

        fx.App.Clock.Advance(TimeSpan.FromMinutes(1));
        var to = fx.App.Clock.GetUtcNow();
        var report = await (await _finance.GetAsync($"/api/reports/reconciliation?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}"))
            .Expect(HttpStatusCode.OK);
        report.Long("transfersChecked").ShouldBeGreaterThanOrEqualTo(2);
        var mismatches = report["transferMismatches"]!.AsArray();
        mismatches.Where(m => m!.Str("remittanceId") == matching.Str("id")).ShouldBeEmpty();
        var found = mismatches.Single(m => m!.Str("remittanceId") == missed.Str("id"))!;
        found.ShouldNotBeNull();
        found.Str("cause").ShouldBe("transfer_reversal_mismatch");
        found.Str("detail").ShouldBe("Reversals per Stripe and per our records differ (a transfer.reversed webhook was missed or is on its way).");
        found.Long("ours").ShouldBe(0);
        found.Long("stripe").ShouldBe(100);
    }

    /// <summary>Stripe's copy of a transfer, changed as a test needs it to differ from the batch.</summary>
    private void ChangeTransfer(string id, long? amount = null, string? currency = null, string? destination = null) => fx.Stripe.State.Locked(_ =>
    {
        var was = fx.Stripe.State.Transfers[id];
        fx.Stripe.State.Transfers[id] = new TransferObject
        {
            Id = was.Id, Amount = amount ?? was.Amount, AmountReversed = was.AmountReversed, Currency = currency ?? was.Currency,
            Destination = destination ?? was.Destination, Description = was.Description, TransferGroup = was.TransferGroup, Metadata = was.Metadata,
            Created = was.Created, Reversals = was.Reversals,
        };
        return 0;
    });

    [Fact]
    public async Task ReconciliationNamesEachWayABatchCanDifferFromItsTransferInOrderWithinThePeriod()
    {
        fx.Stripe.State.SetAvailable("usd", 1_000_000);
        async Task<JsonNode> PaidByTransferAsync(string charity, long amount) =>
            await (await TransferAsync(await DraftBatchAsync(await CharityAsync(charity), amount))).Expect(HttpStatusCode.OK);

        var before = await PaidByTransferAsync("connect-rc-before", 1000);
        var twoWrong = await DraftBatchAsync(await CharityAsync("connect-rc-amount"), 2000);
        var from = fx.App.Clock.GetUtcNow(); // paid at the period's first instant: in it
        var twoWrongTransfer = (await (await TransferAsync(twoWrong)).Expect(HttpStatusCode.OK)).Str("transferId");
        ChangeTransfer(twoWrongTransfer, amount: twoWrong.Long("amount") + 1, currency: "eur");
        var elsewhere = await PaidByTransferAsync("connect-rc-destination", 3000);
        ChangeTransfer(elsewhere.Str("transferId"), destination: "acct_elsewhere");
        var gone = await PaidByTransferAsync("connect-rc-gone", 4000);
        fx.Stripe.State.Locked(_ => fx.Stripe.State.Transfers.Remove(gone.Str("transferId")));
        var unanswered = await PaidByTransferAsync("connect-rc-unreachable", 5000);
        Task StartedAtAsync(JsonNode batch, DateTimeOffset at) => fx.App.WithDbAsync(db => Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlInterpolatedAsync(
            db.Database, $"""UPDATE "Remittances" SET "TransferStartedUtc" = {at.UtcDateTime} WHERE "Id" = {Guid.Parse(batch.Str("id"))}"""));
        var unfinished = await DraftBatchAsync(await CharityAsync("connect-rc-unfinished"), 6000);
        await StartedAtAsync(unfinished, fx.App.Clock.GetUtcNow());
        var startedFirst = await DraftBatchAsync(await CharityAsync("connect-rc-unfinished-first"), 6100);
        await StartedAtAsync(startedFirst, from); // started at the period's first instant: in it
        var startedAtEnd = await DraftBatchAsync(await CharityAsync("connect-rc-unfinished-end"), 6200);
        var startedBefore = await DraftBatchAsync(await CharityAsync("connect-rc-unfinished-before"), 6300);
        await StartedAtAsync(startedBefore, from.AddSeconds(-1)); // started before the period: not in it
        var byBank = await DraftBatchAsync(await CharityAsync("connect-rc-bank"), 7000);
        await (await _finance.PostJson($"/api/remittances/{byBank.Str("id")}/paid", new { reference = "BANK-RC" })).Expect(HttpStatusCode.OK);
        var atEnd = await DraftBatchAsync(await CharityAsync("connect-rc-after"), 8000);
        var to = fx.App.Clock.GetUtcNow(); // paid at the period's end: not in it
        await (await TransferAsync(atEnd)).Expect(HttpStatusCode.OK);
        await StartedAtAsync(startedAtEnd, to); // nor started at it
        fx.Stripe.FailNext(new Fault(500, ShouldRetry: false, Method: "GET", Path: $"/v1/transfers/{unanswered.Str("transferId")}"));

        var report = await (await _finance.GetAsync($"/api/reports/reconciliation?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}"))
            .Expect(HttpStatusCode.OK);
        report.Long("transfersChecked").ShouldBe(6); // the four paid by transfer in the period, and the two unfinished ones
        var ours = new[] { before, twoWrong, elsewhere, gone, unanswered, unfinished, startedFirst, startedAtEnd, startedBefore, byBank, atEnd }.Select(b => b.Str("id")).ToHashSet();
        var account = await AccountOfAsync("connect-rc-destination");
        report["transferMismatches"]!.AsArray().Select(m => m!).Where(m => ours.Contains(m.Str("remittanceId")))
            .Select(m => (m.Str("remittanceId"), m.Str("cause"), m.Str("detail"), m["ours"]?.GetValue<long>(), m["stripe"]?.GetValue<long>()))
            .ShouldBe([
                (twoWrong.Str("id"), "transfer_amount_mismatch", $"Stripe's transfer is for {twoWrong.Long("amount") + 1} eur.", twoWrong.Long("amount"), twoWrong.Long("amount") + 1),
                (twoWrong.Str("id"), "transfer_currency_mismatch", "Stripe's transfer is in eur.", null, null),
                (elsewhere.Str("id"), "transfer_destination_mismatch", $"Stripe's transfer went to acct_elsewhere, not the charity's account {account}.", null, null),
                (gone.Str("id"), "transfer_missing", "Stripe has no such transfer.", gone.Long("amount"), null),
                (unanswered.Str("id"), "stripe_unreachable", "Stripe could not be asked; run the report again.", unanswered.Long("amount"), null),
                (unfinished.Str("id"), "transfer_unfinished", "A transfer was started and never recorded: POST /api/remittances/{id}/transfer again to finish it.",
                    unfinished.Long("amount"), null),
                (startedFirst.Str("id"), "transfer_unfinished", "A transfer was started and never recorded: POST /api/remittances/{id}/transfer again to finish it.",
                    startedFirst.Long("amount"), null),
            ]);

        // A batch whose transfer was started is finished by transfer only; any other draft is still deleted.
        const string started = "A Stripe transfer of this batch was started: finish it with POST /api/remittances/{id}/transfer, which never makes a second one.";
        (await (await _finance.DeleteAsync($"/api/remittances/{unfinished.Str("id")}")).ExpectProblem(HttpStatusCode.Conflict, "status")).Str("detail").ShouldBe(started);
        (await (await _finance.PostJson($"/api/remittances/{unfinished.Str("id")}/paid", new { reference = "BANK-NO" })).ExpectProblem(HttpStatusCode.Conflict, "status"))
            .Str("detail").ShouldBe(started);
        var draft = await DraftBatchAsync(await CharityAsync("connect-rc-draft"), 9000);
        (await _finance.DeleteAsync($"/api/remittances/{draft.Str("id")}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }
}
