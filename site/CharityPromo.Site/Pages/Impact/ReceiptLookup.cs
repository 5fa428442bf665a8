using FluentValidation;

namespace CharityPromo.Site.Pages.Impact;

/// <summary>What the receipt-code form sends: <c>/impact?code=…</c>.</summary>
public sealed class ReceiptLookup
{
    public string? Code { get; set; }

    /// <summary>The code's letters and digits: shoppers type it with or without hyphens, spaces, in any case.</summary>
    public string Compact => new((Code ?? "").Where(char.IsAsciiLetterOrDigit).ToArray());
}

/// <summary>Run by FluentValidation's Razor Pages integration when the form is bound; its messages are shown beside the field.</summary>
public sealed class ReceiptLookupValidator : AbstractValidator<ReceiptLookup>
{
    public ReceiptLookupValidator()
    {
        RuleFor(l => l.Code).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("Type the code printed on your receipt, like ABCD-1234-WXYZ.")
            .MaximumLength(64).WithMessage("A receipt code has 12 letters and digits, like ABCD-1234-WXYZ.")
            .Must(code => new ReceiptLookup { Code = code }.Compact.Length == 12
                          && code!.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or ' '))
            .WithMessage("A receipt code has 12 letters and digits, like ABCD-1234-WXYZ.");
    }
}
