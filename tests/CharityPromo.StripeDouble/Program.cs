namespace CharityPromo.StripeDouble;

/// <summary>
/// The double on its own, for an offline demo (scripts/run.sh):
/// <c>dotnet CharityPromo.StripeDouble.dll --urls http://127.0.0.1:5090 --webhook-url http://127.0.0.1:5080/api/stripe/webhook --webhook-secret whsec_…
/// [--balance usd:5000000]</c>. <c>--balance</c> gives the platform an available balance, as a shop's own sales would, so
/// the demo can pay a charity by transfer.
/// </summary>
public static class DoubleProgram
{
    public static async Task Main(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

        await using var stripe = await StripeDouble.StartAsync(url: Arg("--urls") ?? "http://127.0.0.1:5090");
        stripe.Webhooks.Url = Arg("--webhook-url");
        if (Arg("--webhook-secret") is { } secret) stripe.Webhooks.Secrets.Add(secret);
        if (Arg("--balance") is { } balance && balance.Split(':') is [var currency, var amount] && long.TryParse(amount, out var minor))
            stripe.State.SetAvailable(currency, minor);
        Console.WriteLine($"Stripe test double on {stripe.BaseUrl}; webhooks to {stripe.Webhooks.Url ?? "(none)"}");
        await stripe.WaitForShutdownAsync();
    }
}
