using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CharityPromo.Site.Pages.Impact;

/// <summary>The receipt-code form; a submitted code goes to its impact page.</summary>
public class IndexModel : PageModel
{
    public string? Code { get; private set; }
    public string? Error { get; private set; }

    public IActionResult OnGet(string? code)
    {
        Code = code?.Trim();
        if (string.IsNullOrEmpty(Code)) return Page();
        var compact = new string(Code.Where(char.IsLetterOrDigit).ToArray());
        if (compact.Length != 12)
        {
            Error = "A receipt code has 12 letters and digits, like ABCD-1234-WXYZ.";
            return Page();
        }
        return Redirect($"/impact/{Uri.EscapeDataString(Code)}");
    }
}
