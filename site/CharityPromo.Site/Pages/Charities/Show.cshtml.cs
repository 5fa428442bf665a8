using CharityPromo.Site.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CharityPromo.Site.Pages.Charities;

public class ShowModel(PublicApi api) : PageModel
{
    public Fetched<CharityDetails> Charity { get; private set; } = null!;
    public Dictionary<string, CampaignSummary> Campaigns { get; private set; } = [];
    public Fetched<CharityPayments> Payments { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        var charity = api.CharityAsync(slug, ct);
        var campaigns = api.CampaignsAsync(ct); // for each campaign's exponent, goal and status
        var payments = api.CharityPaymentsAsync(slug, ct);
        Charity = await charity;
        Payments = await payments;
        Campaigns = (await campaigns).Value?.ToDictionary(c => c.Slug) ?? [];
        return Charity.State switch
        {
            FetchState.NotFound => NotFound(),
            FetchState.Unavailable => StatusCode(StatusCodes.Status503ServiceUnavailable),
            _ => Page(),
        };
    }
}
