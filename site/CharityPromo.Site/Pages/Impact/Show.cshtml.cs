using CharityPromo.Site.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using QRCoder;

namespace CharityPromo.Site.Pages.Impact;

public class ShowModel(PublicApi api) : PageModel
{
    public Fetched<Receipt> Receipt { get; private set; } = null!;
    public string QrSvg { get; private set; } = "";
    public string Link { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(string code, CancellationToken ct)
    {
        Receipt = await api.ReceiptAsync(code, ct);
        if (Receipt.State == FetchState.NotFound) return NotFound();
        if (Receipt.Value is null) return StatusCode(StatusCodes.Status503ServiceUnavailable);

        Link = $"{PublicOrigin.Of(HttpContext)}/impact/{Receipt.Value.ReceiptCode}";
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(Link, QRCodeGenerator.ECCLevel.M);
        QrSvg = new SvgQRCode(data).GetGraphic(4);
        return Page();
    }
}
