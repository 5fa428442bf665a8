extern alias site;
using site::CharityPromo.Site.Api;

namespace CharityPromo.Site.Tests;

/// <summary>The fallback answers kept for when the API is down stay bounded however many receipts are viewed.</summary>
public class LastSeenTests
{
    [Fact]
    public void EveryReceiptEverViewedDoesNotStayInMemory()
    {
        using var seen = new LastSeen();
        var at = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < LastSeen.MaxAnswers + 2_000; i++) seen.Remember($"/api/receipts/R{i:D6}", $"receipt {i}", at);

        seen.Count.ShouldBeLessThanOrEqualTo(LastSeen.MaxAnswers);
    }

    [Fact]
    public void AnAnswerIsRecalledWithItsTimeAndOnlyAsTheTypeItWas()
    {
        using var seen = new LastSeen();
        var at = new DateTime(2026, 12, 1, 9, 30, 0, DateTimeKind.Utc);
        seen.Remember("/api/campaigns", "campaigns", at);
        seen.Recall<string>("/api/campaigns").ShouldBe(("campaigns", at));
        seen.Recall<List<string>>("/api/campaigns").ShouldBeNull();
        seen.Recall<string>("/api/charities").ShouldBeNull();
    }
}
