using CharityPromo.Api.Campaigns;

namespace CharityPromo.Api.Remittances;

/// <summary>How a payment reached the charity.</summary>
public enum CharityPaymentMethod
{
    /// <summary>Finance paid the batch by bank and recorded it (<c>POST /api/remittances/{id}/paid</c>).</summary>
    Bank,
    /// <summary>A Stripe Transfer to the charity's connected account (<c>POST /api/remittances/{id}/transfer</c>).</summary>
    StripeTransfer,
}

/// <summary>What the shop has paid a charity, and what is raised for it but not yet paid. Dates, amounts and counts only.</summary>
/// <param name="Charity">The charity.</param>
/// <param name="HoldDays">Pledges are paid out in batches; a pledge waits at least this many days after it is confirmed before
/// it can be paid, so that refunds inside that window never reach the charity (<c>Remittances:HoldDays</c>).</param>
/// <param name="Currencies">One entry per currency the charity has raised or been paid in, by currency code.</param>
/// <param name="Payments">The payments, newest first: at most the newest <c>100</c>.</param>
public sealed record CharityPaymentsResponse(
    CharityRefResponse Charity, int HoldDays, IReadOnlyList<CharityPaymentTotals> Currencies, IReadOnlyList<CharityPayment> Payments);

/// <summary>One currency's figures for a charity.</summary>
/// <param name="Currency">Lowercase ISO 4217 code.</param>
/// <param name="CurrencyExponent">The currency's decimal places: 2 for usd, 0 for jpy.</param>
/// <param name="Paid">What the shop has paid the charity in this currency, in minor units (net of any transfer Stripe reversed).</param>
/// <param name="Payments">How many payments.</param>
/// <param name="LastPaidUtc">When the last payment was made; null when none was.</param>
/// <param name="Raised">What campaigns have raised for the charity in this currency: confirmed donations net of reversals,
/// as on the campaign totals.</param>
/// <param name="NotYetPaid">Raised − paid: what the charity is still to receive. Negative when refunds that came after a
/// payment are still to be netted off the next one.</param>
public sealed record CharityPaymentTotals(
    string Currency, int CurrencyExponent, long Paid, int Payments, DateTime? LastPaidUtc, long Raised, long NotYetPaid);

/// <summary>One payment to the charity.</summary>
/// <param name="PaidUtc">When it was paid.</param>
/// <param name="Amount">In minor units, net of any part of a transfer Stripe reversed.</param>
/// <param name="Currency">Lowercase ISO 4217 code.</param>
/// <param name="CurrencyExponent">The currency's decimal places.</param>
/// <param name="Method">How it was paid: <c>bank</c> or <c>stripe_transfer</c>.</param>
public sealed record CharityPayment(DateTime PaidUtc, long Amount, string Currency, int CurrencyExponent, CharityPaymentMethod Method);
