using System.Globalization;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Purchases;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CharityPromo.Api.Data;

/// <summary>
/// <c>seed-bulk --campaign SLUG --purchases N [--days D]</c>: inserts N confirmed external purchases with their
/// ledger rows, totals and daily rows straight through the app's SQLite connection, 50,000 rows a transaction,
/// for benchmarks at 1M–10M purchases and for a demo with a history. Donations follow the campaign's rules
/// (PledgeMath); the invariant check holds afterwards. Without <c>--days</c> purchases are spread one a second back
/// from now; with it, over the D days before now (or before the campaign ended) in a shop's weekly rhythm.
/// </summary>
internal static class BulkSeeder
{
    private const int BatchSize = 50_000;
    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss.fffffff"; // as EF Core stores DateTime in SQLite

    public static async Task<int> RunAsync(AppDb db, string[] args, TextWriter stdout, TextWriter stderr, DateTime now)
    {
        var campaignSlug = Option(args, "--campaign");
        var days = 0;
        if (campaignSlug is null || !int.TryParse(Option(args, "--purchases"), out var count) || count < 1
            || (Option(args, "--days") is { } d && (!int.TryParse(d, out days) || days is < 1 or > 3660)))
        {
            await stderr.WriteLineAsync("Usage: seed-bulk --campaign SLUG --purchases N [--days D (1-3660)]");
            return 2;
        }
        if (!db.Database.IsSqlite())
        {
            await stderr.WriteLineAsync("seed-bulk writes SQLite directly; it does not support other providers.");
            return 2;
        }
        var campaign = await db.Campaigns.AsNoTracking().Include(c => c.Charities).SingleOrDefaultAsync(c => c.Slug == campaignSlug);
        if (campaign is null || campaign.Charities.Count == 0)
        {
            await stderr.WriteLineAsync($"No campaign '{campaignSlug}' with a charity.");
            return 1;
        }

        if (days > 0 && campaign.StartsUtc >= now)
        {
            await stderr.WriteLineAsync($"'{campaignSlug}' has not started: it has no days to spread purchases over.");
            return 1;
        }

        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        var clientId = Guid.CreateVersion7();
        var run = clientId.ToString("N")[..8];
        var charities = campaign.Charities.OrderBy(c => c.Position).Select(c => c.CharityId).ToArray();
        var started = DateTime.UtcNow;
        var times = days == 0 ? null : WeeklyRhythm(count, days, campaign.StartsUtc, campaign.EndsUtc, now);
        var capLeft = campaign.MerchantCapLeft; // a campaign cap holds here as in the API: pledges cut to what is left, the cap taken

        for (var offset = 0; offset < count; offset += BatchSize)
        {
            var size = Math.Min(BatchSize, count - offset);
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
            using var purchase = Command(connection, tx, """
                INSERT INTO "Purchases" ("Id","ClientId","OrderId","ReceiptCode","CampaignId","CharityId","Currency","Amount","MerchantPledge","Match","RoundUp","AddOn","DonationTotal","Refunded","Reversed","InBatches","Status","CustomerHash","PaymentMethod","PaymentReference","CreatedUtc","ConfirmedUtc")
                VALUES ($id,$client,$order,$receipt,$campaign,$charity,$currency,$amount,$pledge,0,$roundUp,0,$total,0,0,0,'Confirmed',NULL,'external',$order,$created,$created)
                """, "$id", "$client", "$order", "$receipt", "$campaign", "$charity", "$currency", "$amount", "$pledge", "$roundUp", "$total", "$created");
            using var ledger = Command(connection, tx, """
                INSERT INTO "Ledger" ("Id","PurchaseId","CampaignId","CharityId","Currency","Kind","MerchantPledge","Match","RoundUp","AddOn","Amount","Cause","Reference","CreatedUtc")
                VALUES ($id,$purchase,$campaign,$charity,$currency,$kind,$pledge,0,$roundUp,0,$total,'purchase','bulk-seed',$created)
                """, "$id", "$purchase", "$campaign", "$charity", "$currency", "$kind", "$pledge", "$roundUp", "$total", "$created");

            var byCharity = new Dictionary<Guid, (long Total, long Count)>();
            var byDay = new Dictionary<DateOnly, (long Total, long Count)>();
            var capTaken = 0L;
            for (var i = offset; i < offset + size; i++)
            {
                var amount = 500 + (i * 7919L) % 20_000;
                var donation = PledgeMath.Compute(campaign.Rule, new DonationInput(campaign.Currency, amount, RoundUp: i % 2 == 0, AddOn: 0, PriorPaidPurchases: 0, MatchBudgetLeft: 0,
                    MerchantCapLeft: capLeft - capTaken));
                if (capLeft is not null) capTaken += donation.MerchantPledge;
                var charity = charities[i % charities.Length];
                var created = times?[i] ?? now.AddSeconds(i - count);
                var id = Guid.CreateVersion7(new DateTimeOffset(created, TimeSpan.Zero));
                var stamp = created.ToString(TimeFormat, CultureInfo.InvariantCulture);

                Bind(purchase, Text(id), Text(clientId), $"BULK-{run}-{i}", ReceiptCodes.New(), Text(campaign.Id), Text(charity), campaign.Currency,
                    amount, donation.MerchantPledge, donation.RoundUp, donation.Total, stamp);
                await purchase.ExecuteNonQueryAsync();
                foreach (var kind in new[] { "Pledged", "Confirmed" })
                {
                    Bind(ledger, Text(Guid.CreateVersion7()), Text(id), Text(campaign.Id), Text(charity), campaign.Currency, kind,
                        donation.MerchantPledge, donation.RoundUp, donation.Total, stamp);
                    await ledger.ExecuteNonQueryAsync();
                }
                var forCharity = byCharity.GetValueOrDefault(charity);
                byCharity[charity] = (forCharity.Total + donation.Total, forCharity.Count + 1);
                var day = DateOnly.FromDateTime(created);
                var forDay = byDay.GetValueOrDefault(day);
                byDay[day] = (forDay.Total + donation.Total, forDay.Count + 1);
            }

            // Pledged then confirmed nets pending to zero: only confirmed totals and purchase counts move.
            foreach (var (charity, (total, n)) in byCharity)
            {
                using var totals = Command(connection, tx, """
                    UPDATE "CampaignTotals" SET "Confirmed" = "Confirmed" + $total, "Purchases" = "Purchases" + $n
                    WHERE "CampaignId" = $campaign AND "CharityId" = $charity AND "Currency" = $currency
                    """, "$total", "$n", "$campaign", "$charity", "$currency");
                Bind(totals, total, n, Text(campaign.Id), Text(charity), campaign.Currency);
                await totals.ExecuteNonQueryAsync();
            }
            foreach (var (day, (total, n)) in byDay)
            {
                using var daily = Command(connection, tx, """
                    INSERT INTO "DailyTotals" ("CampaignId","Day","Confirmed","Reversed","Purchases") VALUES ($campaign,$day,$total,0,$n)
                    ON CONFLICT ("CampaignId","Day") DO UPDATE SET "Confirmed" = "Confirmed" + excluded."Confirmed", "Purchases" = "Purchases" + excluded."Purchases"
                    """, "$campaign", "$day", "$total", "$n");
                Bind(daily, Text(campaign.Id), day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), total, n);
                await daily.ExecuteNonQueryAsync();
            }
            if (capLeft is not null)
            {
                using var cap = Command(connection, tx, """UPDATE "Campaigns" SET "CapUsed" = "CapUsed" + $taken WHERE "Id" = $campaign""", "$taken", "$campaign");
                Bind(cap, capTaken, Text(campaign.Id));
                await cap.ExecuteNonQueryAsync();
                capLeft -= capTaken;
            }
            await tx.CommitAsync();
            await stderr.WriteLineAsync($"  {offset + size:N0} / {count:N0}");
        }

        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        await stdout.WriteLineAsync($"Seeded {count} purchases into '{campaignSlug}' in {seconds:0.0} s ({count / Math.Max(seconds, 0.001):0} purchases/s).");
        return 0;
    }

    /// <summary>
    /// Purchase times over the <paramref name="days"/> days before the campaign's last moment so far, busiest on
    /// Fridays and Saturdays, quietest early in the week, growing a little as word spreads, and within a day
    /// between 08:00 and 21:00 UTC (or as much of that as has passed): what a shop's campaign chart looks like. Deterministic, in order.
    /// </summary>
    internal static DateTime[] WeeklyRhythm(int count, int days, DateTime startsUtc, DateTime endsUtc, DateTime now)
    {
        var last = (endsUtc < now ? endsUtc : now).AddSeconds(-1);
        var firstDay = DateOnly.FromDateTime(last).AddDays(1 - days);
        if (firstDay < DateOnly.FromDateTime(startsUtc)) firstDay = DateOnly.FromDateTime(startsUtc);
        ReadOnlySpan<int> byWeekday = [4, 3, 3, 4, 5, 8, 9]; // Sunday first, as DayOfWeek counts
        var weights = new List<(DateOnly Day, long Weight)>();
        for (var day = firstDay; day <= DateOnly.FromDateTime(last); day = day.AddDays(1))
            weights.Add((day, byWeekday[(int)day.DayOfWeek] * (10L + weights.Count / 7)));
        var total = weights.Sum(w => w.Weight);

        var times = new DateTime[count];
        long before = 0;
        var i = 0;
        foreach (var (day, weight) in weights)
        {
            var upTo = (int)((before + weight) * count / total);
            var onDay = upTo - i;
            var (open, close) = (day.ToDateTime(new TimeOnly(8, 0)), day.ToDateTime(new TimeOnly(21, 0)));
            if (close > last) close = last;
            if (open < startsUtc) open = startsUtc;
            if (open >= close) open = close.Date > startsUtc ? close.Date : startsUtc; // early on the last day
            for (var k = 0; k < onDay; k++, i++)
                times[i] = open.AddTicks((close - open).Ticks * (2 * k + 1) / (2 * onDay));
            before += weight;
        }
        return times;
    }

    private static string Text(Guid id) => id.ToString().ToUpperInvariant(); // EF Core's SQLite form

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction tx, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var name in parameters) command.Parameters.Add(new SqliteParameter(name, null));
        command.Prepare();
        return command;
    }

    private static void Bind(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i];
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
