extern alias site;
using AngleSharp;
using AngleSharp.Dom;
using CharityPromo.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CharityPromo.Site.Tests;

/// <summary>The real site on Kestrel, reading a real API (its own <see cref="ApiFactory"/> and SQLite file).</summary>
public sealed class SiteFactory : WebApplicationFactory<site::Program>
{
    private readonly Lazy<Uri> _address;
    private string? _apiAddress;

    public SiteFactory() => _address = KestrelOnLoopback.StartOnce(this, () =>
    {
        // The API is started (and its address known) before the site's host is built, never from inside it.
        _apiAddress = ApiBaseUrl ?? Api.Address.ToString();
        StartServer();
    });

    public ApiFactory Api { get; } = new();

    /// <summary>Where the site looks for the API; by default, <see cref="Api"/>.</summary>
    public string? ApiBaseUrl { get; init; }

    /// <summary>The site's output cache lifetime: off by default, so that every request renders.</summary>
    public int CacheSeconds { get; init; }

    /// <summary><c>Site:PublicBaseUrl</c>: unset by default, so links use the test's own address.</summary>
    public string? PublicBaseUrl { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Site:ApiBaseUrl", _apiAddress ?? throw new InvalidOperationException("Start the site through Browser()."));
        builder.UseSetting("Site:CacheSeconds", CacheSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Site:LiveRefreshSeconds", "1");
        if (PublicBaseUrl is not null) builder.UseSetting("Site:PublicBaseUrl", PublicBaseUrl);
    }

    /// <summary>A plain HTTP client to the site's Kestrel address that shows redirects instead of following them.</summary>
    public HttpClient Browser() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _address.Value };

    public async Task<(HttpResponseMessage Response, IDocument Page)> GetPageAsync(string path)
    {
        var response = await Browser().GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        var page = await BrowsingContext.New(Configuration.Default).OpenAsync(r => r.Content(html));
        return (response, page);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Api.Dispose();
    }
}
