using CharityPromo.Api.Campaigns;
using CharityPromo.Api.Data;
using CharityPromo.Api.Pledges;
using FluentValidation;

namespace CharityPromo.Api.Remittances;

/// <summary>Gather what is owed to a charity in a currency, up to a cutoff, into a draft batch.</summary>
/// <param name="Charity">Charity slug.</param>
/// <param name="Currency">Lowercase ISO 4217 code.</param>
/// <param name="CutoffUtc">Pledges confirmed before this moment are included.</param>
public sealed record RemittanceRequest(string Charity, string Currency, DateTimeOffset CutoffUtc);

/// <param name="Reference">The bank transfer or payment reference.</param>
public sealed record RemittancePaidRequest(string Reference);

/// <param name="Reference">The bank reference, or the Stripe transfer id when paid by transfer.</param>
/// <param name="TransferId">The Stripe Transfer (tr_…) that paid the batch, when paid by transfer.</param>
/// <param name="TransferStartedUtc">When a transfer was asked for; until it is paid, the batch can be neither paid by bank nor deleted.</param>
/// <param name="TransferReversed">What Stripe reversed of the transfer: those pledges are outstanding again, for the next batch.</param>
/// <param name="MoreOutstanding">Only when a batch is created: true when it reached <c>Remittances:MaxLines</c> pledges and more were
/// outstanding before its cutoff; create another batch with the same cutoff for them.</param>
public sealed record RemittanceResponse(
    Guid Id, string Charity, string Currency, int CurrencyExponent, DateTime CutoffUtc, RemittanceStatus Status,
    long Amount, string AmountMajor, int Lines, string? Reference, DateTime CreatedUtc, DateTime? PaidUtc,
    string? TransferId, DateTime? TransferStartedUtc, long TransferReversed,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    bool? MoreOutstanding = null);

/// <summary>One line of a charity's statement: a purchase's net pledge in this batch.</summary>
/// <param name="Reopened">This line's share of what Stripe reversed of the batch's transfer: taken back, and owed again in a later batch.</param>
public sealed record StatementLine(string ReceiptCode, string ConfirmedUtc, string Campaign, string Currency, long Amount, string AmountMajor,
    long Reopened, string ReopenedMajor);

public sealed record StatementResponse(RemittanceResponse Remittance, CharityRefResponse Charity, IReadOnlyList<StatementLine> Lines);

internal sealed class RemittanceRequestValidator : AbstractValidator<RemittanceRequest>
{
    public RemittanceRequestValidator()
    {
        RuleFor(r => r.Charity).Slug();
        RuleFor(r => r.Currency).Must(Currencies.IsKnown).WithMessage("'currency' must be a lowercase ISO 4217 code, like 'usd'.");
        RuleFor(r => r.CutoffUtc).NotEqual(default(DateTimeOffset)).WithMessage("'cutoffUtc' is required.");
    }
}

internal sealed class RemittancePaidRequestValidator : AbstractValidator<RemittancePaidRequest>
{
    public RemittancePaidRequestValidator() => RuleFor(r => r.Reference).NotEmpty().MaximumLength(Limits.Reference);
}
