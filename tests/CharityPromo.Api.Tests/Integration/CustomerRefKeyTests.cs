using CharityPromo.Api.Purchases;
using CharityPromo.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>The customer-reference key: from outside the database in Production, at least 32 bytes, and movable out of it.</summary>
public sealed class CustomerRefKeyTests : IDisposable
{
    private readonly ApiFactory _app = new();

    private static IConfiguration Config(string? key) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [CustomerRefHasher.ConfigKey] = key }).Build();

    private static HostingEnvironment Env(string name) => new() { EnvironmentName = name };

    private Task<CustomerRefHasher> LoadAsync(string? key, string environment) => _app.WithDbAsync(async db =>
    {
        var hasher = new CustomerRefHasher();
        await hasher.LoadKeyAsync(db, Config(key), Env(environment), TimeProvider.System);
        return hasher;
    });

    [Fact]
    public async Task ProductionRefusesToStartWithoutAKeyOrWithAShortOne()
    {
        (await Should.ThrowAsync<InvalidOperationException>(() => LoadAsync(null, "Production"))).Message.ShouldContain("customers export-key");
        (await Should.ThrowAsync<InvalidOperationException>(() => LoadAsync("only-31-bytes-long-key-00000000", "Production"))).Message.ShouldContain("at least 32 bytes; it is 31");
        (await Should.ThrowAsync<InvalidOperationException>(() => LoadAsync("base64:not base64!", "Production"))).Message.ShouldContain("not base64");
        (await LoadAsync("a key of exactly thirty-two bytes", "Production")).Hash("c-1").Length.ShouldBe(64);
    }

    [Fact]
    public async Task AGeneratedKeyExportedAndConfiguredGivesTheSameHashesSoLoyaltyCarriesOn()
    {
        var generated = await LoadAsync(null, "Development");
        var exported = await _app.WithDbAsync(db => CustomerRefHasher.ExportStoredAsync(db));
        exported.ShouldNotBeNull().ShouldStartWith("base64:");

        var configured = await LoadAsync(exported, "Production");

        configured.Hash("shopper-7").ShouldBe(generated.Hash("shopper-7"));
        configured.FingerprintKey.ShouldBe(generated.FingerprintKey);
        var output = new StringWriter();
        (await _app.WithDbAsync(db => CustomersCli.RunAsync(db, ["export-key"], output, TextWriter.Null))).ShouldBe(0);
        output.ToString().Trim().ShouldBe(exported);
    }

    public void Dispose() => _app.Dispose();
}
