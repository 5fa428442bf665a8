namespace CharityPromo.StripeDouble;

/// <summary>
/// Stripe's idempotency layer, as Stripe documents it: results are stored per (secret key, idempotency key) — Stripe
/// keeps keys per account and mode, not globally — once a request starts executing.
/// </summary>
public sealed class IdempotencyLayer
{
    private readonly Dictionary<(string Account, string Key), (string Fingerprint, int Status, string Body)> _idempotent = [];
    /// <summary>Keyed writes still executing: a concurrent duplicate gets 409 idempotency_key_in_use.</summary>
    private readonly HashSet<(string Account, string Key)> _executing = [];

    /// <summary>How long a keyed write takes after its effect, before its result is stored (the key is in use meanwhile).</summary>
    public TimeSpan ExecutionTime { get; set; }

    /// <summary>
    /// A keyed write, Stripe's way: the stored result for this key and parameters, or 400 for other parameters, or
    /// 409 while the first request with the key is still executing; otherwise it executes and its result — a 500
    /// raised while executing included — is stored.
    /// </summary>
    public async Task<(int Status, string Json)> ExecuteAsync((string Account, string Key) slot, string path, string body, Func<(int, string)> run, Fault? failure)
    {
        var fingerprint = $"{path}\n{string.Join('&', body.Split('&').Order(StringComparer.Ordinal))}";
        lock (_idempotent)
        {
            if (_idempotent.TryGetValue(slot, out var stored))
                return stored.Fingerprint == fingerprint ? (stored.Status, stored.Body) : (400, StripeDouble.ErrorJson(new ErrorObject
                {
                    Type = "idempotency_error",
                    Message = $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{slot.Key}' if you meant to execute a different request.",
                }));
            if (!_executing.Add(slot))
                return (409, StripeDouble.ErrorJson(new ErrorObject
                {
                    Type = "idempotency_error", Code = "idempotency_key_in_use",
                    Message = $"There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): {slot.Key}. Please try again later.",
                }));
        }
        try
        {
            var (status, json) = failure is { AfterHandling: false } ? (500, StripeDouble.FaultJson("raised while executing")) : run();
            if (ExecutionTime > TimeSpan.Zero) await Task.Delay(ExecutionTime);
            if (failure is { AfterHandling: true }) (status, json) = (500, StripeDouble.FaultJson("raised after executing"));
            // Like Stripe: parameter errors are not saved (nothing started executing); everything else is.
            if (status != 400) lock (_idempotent) _idempotent[slot] = (fingerprint, status, json);
            return (status, json);
        }
        finally
        {
            lock (_idempotent) _executing.Remove(slot);
        }
    }
}
