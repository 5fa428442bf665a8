using CharityPromo.Site.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace CharityPromo.Site.Pages.Campaigns;

public class ShowModel(PublicApi api, IOptions<SiteOptions> options, TimeProvider clock) : PageModel
{
    public Fetched<CampaignSummary> Campaign { get; private set; } = null!;
    public IReadOnlyList<RecentPledge> Recent { get; private set; } = [];
    /// <summary>An ended campaign's final accounting (null while it runs, or when the API did not answer).</summary>
    public Accounting? Accounting { get; private set; }
    public CampaignSummary C => Campaign.Value!;
    public DateTime Now => clock.GetUtcNow().UtcDateTime;
    public int LiveRefreshSeconds => options.Value.LiveRefreshSeconds;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        var campaign = api.CampaignAsync(slug, ct);
        var recent = api.RecentPledgesAsync(slug, ct);
        Campaign = await campaign;
        Recent = (await recent).Value ?? [];
        if (Campaign.Value?.Status == "ended") Accounting = (await api.AccountingAsync(slug, ct)).Value;
        return Campaign.State switch
        {
            FetchState.NotFound => NotFound(),
            FetchState.Unavailable => StatusCode(StatusCodes.Status503ServiceUnavailable),
            _ => Page(),
        };
    }

    /// <summary>The figures the page's script refreshes, for browsers without EventSource (<see cref="LiveFigures"/>).</summary>
    public async Task<IActionResult> OnGetLiveAsync(string slug, CancellationToken ct)
    {
        var fetched = await api.CampaignAsync(slug, ct);
        return fetched.Value is null ? NotFound() : new JsonResult(LiveFigures.Of(fetched));
    }
}
