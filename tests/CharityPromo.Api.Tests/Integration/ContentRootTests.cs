using System.Net;
using CharityPromo.Testing;

namespace CharityPromo.Api.Tests.Integration;

/// <summary>The API as operators start it: <c>dotnet /path/CharityPromo.Api.dll</c> from any directory.</summary>
[Trait("Provider", "Sqlite")]
public sealed class ContentRootTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "charitypromo-elsewhere", Guid.NewGuid().ToString("N"));
    private ApiProcess? _api;

    [Fact]
    public async Task StartedFromAnotherDirectoryItReadsItsOwnSettingsAndKeepsRequestPathsOutOfTheLog()
    {
        Directory.CreateDirectory(_folder);
        _api = new ApiProcess($"Data Source={Path.Combine(_folder, "api.db")}", "Sqlite") { WorkingDirectory = _folder };
        _api.Environment["Logging__LogLevel__Default"] = "Information"; // appsettings.json's narrower levels must still apply
        var client = await _api.StartAsync();
        (await client.GetAsync("/api/purchases?orderId=SECRET-ORDER-42")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var root = $"Content root path: {AppContext.BaseDirectory.TrimEnd('/')}";
        for (var i = 0; i < 100 && !_api.Output.Any(l => l.Contains("Content root path", StringComparison.Ordinal)); i++) await Task.Delay(50);
        _api.Output.ShouldContain(l => l.TrimEnd('/').EndsWith(root, StringComparison.Ordinal), string.Join('\n', _api.Output));
        // Microsoft.AspNetCore at Warning (appsettings.json): the request line with its query string is never written.
        (await client.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
        _api.Output.ShouldNotContain(l => l.Contains("SECRET-ORDER", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _api?.Dispose();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
