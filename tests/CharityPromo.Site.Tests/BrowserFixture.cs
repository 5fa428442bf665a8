using CharityPromo.Testing;
using Microsoft.Playwright;

namespace CharityPromo.Site.Tests;

/// <summary>
/// Debian's Chromium (installed by scripts/test.sh), driven by Playwright, against the real site and API.
/// Playwright's own browser download is not used: it cannot be fetched here.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public SiteFactory Site { get; } = new();
    public IBrowser Browser { get; private set; } = null!;
    private IPlaywright _playwright = null!;

    /// <summary>Screenshots land in artifacts/screenshots/ at the repository root (git-ignored).</summary>
    public static string ScreenshotFolder { get; } = FindScreenshotFolder();

    public virtual async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: run scripts/test.sh, which installs Debian's chromium.");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task<IPage> NewPageAsync(int width, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Site.Browser().BaseAddress!.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-US",
        });
        return await context.NewPageAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        Site.Dispose();
    }

    private static string FindScreenshotFolder()
    {
        var folder = Repository.PathTo("artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        return folder;
    }
}
