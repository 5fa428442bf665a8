namespace CharityPromo.StripeDouble;

/// <summary>Stripe Connect: connected accounts, their onboarding, and transfers to them from the platform's balance.</summary>
public sealed partial class StripeState
{
    public Dictionary<string, AccountObject> Accounts { get; } = [];
    public Dictionary<string, TransferObject> Transfers { get; } = [];

    /// <summary>
    /// The platform's available balance per currency. Charges add to it at once (as Stripe's test card
    /// 4000 0000 0000 0077 makes funds available at once), refunds and transfers take from it, reversals give back.
    /// </summary>
    public Dictionary<string, long> Available { get; } = [];

    private void AddToBalance(string currency, long amount) => Available[currency] = Available.GetValueOrDefault(currency) + amount;

    /// <summary>Sets the platform's available balance in a currency (a test empties it to see a transfer refused).</summary>
    public void SetAvailable(string currency, long amount) => Locked(_ => Available[currency] = amount);

    public AccountObject CreateAccount(string country, string? email, string? type, IEnumerable<string> capabilities, Dictionary<string, string> metadata) =>
        Locked(_ =>
        {
            var account = new AccountObject
            {
                Id = NewId("acct"), Country = country, Email = email, Type = type, Metadata = metadata, Created = Now,
                Capabilities = capabilities.ToDictionary(c => c, _ => "inactive"),
            };
            Accounts[account.Id] = account;
            return account;
        });

    public AccountObject Account(string id, string param = "id") =>
        Accounts.TryGetValue(id, out var account) ? account
        : throw new StripeErrorException(404, new ErrorObject { Type = "invalid_request_error", Code = "resource_missing", Param = param, Message = $"No such account: '{id}'" });

    /// <summary>The charity finished Stripe's onboarding form: details submitted, capabilities active, payouts on.</summary>
    public AccountObject CompleteOnboarding(string accountId) => Locked(raised =>
    {
        var account = Account(accountId);
        account.DetailsSubmitted = true;
        account.PayoutsEnabled = true;
        foreach (var capability in account.Capabilities.Keys.ToList()) account.Capabilities[capability] = "active";
        Raise(raised, "account.updated", account, account.Id);
        return account;
    });

    /// <summary>Stripe needs more from the charity (a document, say): transfers and payouts stop until it is given.</summary>
    public AccountObject RestrictAccount(string accountId) => Locked(raised =>
    {
        var account = Account(accountId);
        account.PayoutsEnabled = false;
        foreach (var capability in account.Capabilities.Keys.ToList()) account.Capabilities[capability] = "inactive";
        Raise(raised, "account.updated", account, account.Id);
        return account;
    });

    public TransferObject CreateTransfer(long amount, string currency, string destination, string? description, string? transferGroup,
        Dictionary<string, string> metadata) => Locked(raised =>
    {
        var account = Account(destination, "destination");
        if (account.Capabilities.GetValueOrDefault("transfers") != "active")
            throw new StripeErrorException(400, new ErrorObject
            {
                Type = "invalid_request_error", Code = "insufficient_capabilities_for_transfer", Param = "destination",
                Message = "Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments",
            });
        if (amount < 1) throw new ParamException("amount", "This value must be greater than or equal to 1.");
        if (Available.GetValueOrDefault(currency) < amount)
            throw new StripeErrorException(400, new ErrorObject
            {
                Type = "invalid_request_error", Code = "balance_insufficient",
                Message = "You have insufficient available funds in your Stripe account. Try adding funds directly to your available balance by creating Charges using the 4000000000000077 test card.",
            });
        AddToBalance(currency, -amount);
        var id = NewId("tr");
        var transfer = new TransferObject
        {
            Id = id, Amount = amount, Currency = currency, Destination = destination, Description = description, TransferGroup = transferGroup,
            Metadata = metadata, Created = Now, Reversals = new ListObject<TransferReversalObject> { Data = [], Url = $"/v1/transfers/{id}/reversals" },
        };
        Transfers[id] = transfer;
        Raise(raised, "transfer.created", transfer);
        return transfer;
    });

    public TransferObject Transfer(string id) =>
        Transfers.TryGetValue(id, out var transfer) ? transfer
        : throw new StripeErrorException(404, new ErrorObject { Type = "invalid_request_error", Code = "resource_missing", Param = "id", Message = $"No such transfer: '{id}'" });

    /// <summary>Takes (part of) a transfer back from the connected account (all that is left when <paramref name="amount"/> is null).</summary>
    public TransferReversalObject ReverseTransfer(string transferId, long? amount, Dictionary<string, string>? metadata = null) => Locked(raised =>
    {
        var transfer = Transfer(transferId);
        var left = transfer.Amount - transfer.AmountReversed;
        var reversing = amount ?? left;
        if (reversing < 1 || reversing > left)
            throw new ParamException("amount", $"Transfer reversal amount ({reversing}) is greater than the transfer's unreversed amount ({left}).");
        var reversal = new TransferReversalObject
        {
            Id = NewId("trr"), Amount = reversing, Currency = transfer.Currency, Transfer = transfer.Id, Metadata = metadata ?? [], Created = Now,
        };
        transfer.AmountReversed += reversing;
        transfer.Reversals.Data.Insert(0, reversal);
        AddToBalance(transfer.Currency, reversing);
        Raise(raised, "transfer.reversed", transfer);
        return reversal;
    });
}
