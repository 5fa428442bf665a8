using CharityPromo.Site.Api;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CharityPromo.Site.Pages;

public class IndexModel(PublicApi api) : PageModel
{
    public Fetched<List<CampaignSummary>> Campaigns { get; private set; } = null!;
    public List<CampaignSummary> Active => Of("active");
    public List<CampaignSummary> Upcoming => Of("upcoming");
    public List<CampaignSummary> Ended => Of("ended");

    public async Task OnGetAsync(CancellationToken ct) => Campaigns = await api.CampaignsAsync(ct);

    private List<CampaignSummary> Of(string status) => Campaigns.Value?.Where(c => c.Status == status).ToList() ?? [];
}
