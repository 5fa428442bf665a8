using System.ComponentModel.DataAnnotations;
using CharityPromo.Api.Data;
using CharityPromo.Api.Pledges;
using CharityPromo.Api.Infrastructure;
using FluentValidation;

namespace CharityPromo.Api.Purchases;

/// <summary>A purchase that carries a charity pledge.</summary>
/// <param name="Campaign">Campaign slug.</param>
/// <param name="Charity">Charity slug; optional when the campaign supports one charity.</param>
/// <param name="OrderId">The checkout's own order id, unique per API client.</param>
/// <param name="Currency">Must be the campaign's currency.</param>
/// <param name="Amount">Purchase amount in minor units.</param>
/// <param name="RoundUp">The shopper rounds up to the next whole major unit.</param>
/// <param name="AddOn">What the shopper adds, in minor units.</param>
/// <param name="CustomerRef">The checkout's customer reference, for loyalty matching; only its HMAC is kept.</param>
/// <param name="Payment">How the purchase is paid.</param>
public sealed record PurchaseRequest(
    string Campaign, string? Charity, string OrderId, string Currency, long Amount, bool RoundUp, long AddOn,
    string? CustomerRef, PaymentRequest? Payment) : IDonationRequest;

/// <param name="Method">"external" (already paid elsewhere: confirmed at once), "stripe" (a PaymentIntent for Stripe.js or a
/// server-side confirmation) or "stripe_checkout" (Stripe's hosted Checkout page).</param>
/// <param name="Reference">The external payment's reference (till receipt, POS transaction id).</param>
/// <param name="PaymentMethodId">Stripe payment method to confirm with ("stripe" only).</param>
/// <param name="Confirm">Confirm the PaymentIntent server-side ("stripe" only).</param>
/// <param name="SuccessUrl">Where Stripe's Checkout page sends the shopper once paid ("stripe_checkout" only; required there).
/// Stripe puts the session id in place of <c>{CHECKOUT_SESSION_ID}</c>.</param>
/// <param name="CancelUrl">Where Checkout's back link goes ("stripe_checkout" only).</param>
public sealed record PaymentRequest(string Method, string? Reference, string? PaymentMethodId, bool? Confirm, string? SuccessUrl = null, string? CancelUrl = null);

public sealed record PurchaseResponse(
    Guid Id, string OrderId, string ReceiptCode, PurchaseStatus Status, string Campaign, string Charity,
    string Currency, long Amount, DonationResponse Donation, long Refunded, long Reversed,
    PaymentResponse Payment, DateTime CreatedUtc, DateTime? ConfirmedUtc);

/// <param name="Method">"external", "stripe" or "stripe_checkout".</param>
/// <param name="Status">"succeeded" for external payments; Stripe's PaymentIntent status otherwise ("not_started" until Stripe was reached;
/// "open" while a Checkout page waits for the shopper, "processing" while a delayed payment made there settles).</param>
/// <param name="Reference">The external payment's reference.</param>
/// <param name="Amount">What the shopper pays: purchase + round-up + add-on.</param>
/// <param name="PaymentIntentId">Stripe's PaymentIntent (pi_…).</param>
/// <param name="ClientSecret">For Stripe.js to confirm the payment on the checkout page; only in the answer to the create request.</param>
/// <param name="Error">Stripe's message for the last failed attempt.</param>
/// <param name="DisputeStatus">Stripe's status of a dispute on the payment, if any.</param>
/// <param name="CheckoutSessionId">The Stripe Checkout Session (cs_…) of a "stripe_checkout" payment.</param>
/// <param name="Url">Stripe Checkout's hosted page to send the shopper to; only in the answer to the create request, while the page is open.</param>
public sealed record PaymentResponse([property: AllowedValues(PaymentMethods.External, PaymentMethods.Stripe, PaymentMethods.StripeCheckout)] string Method, string Status, string? Reference, long Amount,
    string? PaymentIntentId = null, string? ClientSecret = null, string? Error = null, string? DisputeStatus = null,
    string? CheckoutSessionId = null, string? Url = null);

internal static class PaymentMethods
{
    public const string External = "external";
    public const string Stripe = "stripe";
    public const string StripeCheckout = "stripe_checkout";

    /// <summary>Paid through Stripe, by a PaymentIntent of ours or one a Checkout Session made.</summary>
    public static bool IsStripe(string method) => method is Stripe or StripeCheckout;
}

internal sealed class PurchaseRequestValidator : AbstractValidator<PurchaseRequest>
{
    public PurchaseRequestValidator()
    {
        Include(new DonationRequestValidator());
        RuleFor(r => r.OrderId).NotEmpty().MaximumLength(Limits.Reference);
        RuleFor(r => r.Payment).NotNull();
        RuleFor(r => r.Payment!.Method)
            .Must(m => m is PaymentMethods.External or PaymentMethods.Stripe or PaymentMethods.StripeCheckout)
            .WithMessage("'method' must be 'external', 'stripe' or 'stripe_checkout'.")
            .When(r => r.Payment is not null);
        RuleFor(r => r.Payment!.Reference).NotEmpty().MaximumLength(Limits.Reference)
            .WithMessage($"An external payment needs its 'reference' (1 to {Limits.Reference} characters).")
            .When(r => r.Payment is { Method: PaymentMethods.External });
        RuleFor(r => r.Payment!.PaymentMethodId).Matches(@"^pm_[A-Za-z0-9_]{1,200}\z")
            .WithMessage("'paymentMethodId' must be a Stripe payment method id (pm_…).")
            .When(r => r.Payment is { Method: PaymentMethods.Stripe, PaymentMethodId: not null });
        RuleFor(r => r.Payment!.PaymentMethodId).NotEmpty()
            .WithMessage("'confirm': true needs the 'paymentMethodId' to confirm with.")
            .When(r => r.Payment is { Method: PaymentMethods.Stripe, Confirm: true });
        RuleFor(r => r.Payment!.PaymentMethodId).Null().WithMessage("'paymentMethodId' is for the 'stripe' method only.")
            .When(r => r.Payment is { Method: PaymentMethods.External or PaymentMethods.StripeCheckout });
        RuleFor(r => r.Payment!.Confirm).Null().WithMessage("'confirm' is for the 'stripe' method only.")
            .When(r => r.Payment is { Method: PaymentMethods.External or PaymentMethods.StripeCheckout });
        RuleFor(r => r.Payment!.SuccessUrl).NotEmpty().MaximumLength(Limits.Url).Must(Urls.IsHttp)
            .WithMessage("'successUrl' must be the absolute http or https URL Stripe's Checkout page sends the shopper to once paid.")
            .When(r => r.Payment is { Method: PaymentMethods.StripeCheckout });
        RuleFor(r => r.Payment!.CancelUrl).MaximumLength(Limits.Url).Must(Urls.IsHttp).WithMessage("'cancelUrl' must be an absolute http or https URL.")
            .When(r => r.Payment is { Method: PaymentMethods.StripeCheckout, CancelUrl: not null });
        RuleFor(r => r.Payment!.SuccessUrl).Null().WithMessage("'successUrl' is for the 'stripe_checkout' method only.")
            .When(r => r.Payment is { Method: PaymentMethods.External or PaymentMethods.Stripe });
        RuleFor(r => r.Payment!.CancelUrl).Null().WithMessage("'cancelUrl' is for the 'stripe_checkout' method only.")
            .When(r => r.Payment is { Method: PaymentMethods.External or PaymentMethods.Stripe });
    }
}
