namespace CharityPromo.Api.Remittances;

/// <summary>
/// <c>Remittances:HoldDays</c> (7): how long a confirmed pledge waits before a batch pays it, so a refund inside that
/// window is settled before the money reaches the charity.
/// </summary>
internal static class RemittanceHold
{
    public const int DefaultDays = 7;

    public static int Days(IConfiguration config) => Math.Max(0, config.GetValue("Remittances:HoldDays", DefaultDays));
}
