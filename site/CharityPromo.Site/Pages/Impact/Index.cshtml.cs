using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CharityPromo.Site.Pages.Impact;

/// <summary>The receipt-code form; a valid code goes to its impact page, an invalid one comes back with why.</summary>
public class IndexModel : PageModel
{
    /// <summary>Bound from the query without a prefix, so the form's field and shared links stay <c>?code=</c>.</summary>
    [BindProperty(SupportsGet = true, Name = "")]
    public ReceiptLookup Lookup { get; set; } = new();

    public string? Error => ModelState[nameof(ReceiptLookup.Code)]?.Errors.FirstOrDefault()?.ErrorMessage;

    public IActionResult OnGet()
    {
        if (!Request.Query.ContainsKey("code"))
        {
            ModelState.Clear(); // the empty form, before anything was asked: nothing is wrong yet
            return Page();
        }
        return ModelState.IsValid ? Redirect($"/impact/{Uri.EscapeDataString(Lookup.Code!.Trim())}") : Page();
    }
}
