using System.ComponentModel.DataAnnotations;
using CharityPromo.Site;
using CharityPromo.Site.Api;
using FluentValidation;
using FluentValidation.AspNetCore;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddRazorPages(o => o.Conventions.ConfigureFilter(new Microsoft.AspNetCore.Mvc.IgnoreAntiforgeryTokenAttribute()));
// Forms are validated on the server, where the page is made: it must be complete without JavaScript.
builder.Services.AddFluentValidationAutoValidation();
builder.Services.AddValidatorsFromAssemblyContaining<Program>();
builder.Services.AddOptions<SiteOptions>().Bind(builder.Configuration.GetSection("Site")).ValidateDataAnnotations().ValidateOnStart();
builder.Services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
    o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All)); // "€", not "&#x20AC;"
builder.Services.AddPublicOriginHosts(builder.Configuration);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<LastSeen>();
builder.Services.AddHttpClient<PublicApi>((services, http) =>
{
    http.BaseAddress = new Uri(services.GetRequiredService<IOptions<SiteOptions>>().Value.ApiBaseUrl);
    http.Timeout = TimeSpan.FromSeconds(3); // a slow API must not hold shoppers' pages: show the last totals instead
});
builder.Services.AddOutputCache();
builder.Services.AddOptions<Microsoft.AspNetCore.OutputCaching.OutputCacheOptions>().Configure<IOptions<SiteOptions>>((o, site) =>
{
    var seconds = site.Value.CacheSeconds;
    o.AddBasePolicy(p => p.Expire(TimeSpan.FromSeconds(seconds)).SetVaryByHeader("Accept-Language").With(_ => seconds > 0));
});
string[] cultures = ["en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "nl-NL", "ja-JP"]; // number style follows the reader

var app = builder.Build();

app.UseSecurityHeaders();
app.UseStatusCodePagesWithReExecute("/not-found");
app.UseStaticFiles();
app.UseRequestLocalization(o => o.SetDefaultCulture("en-US").AddSupportedCultures(cultures).AddSupportedUICultures(cultures));
// The output cache keeps each page with the ETag ConditionalGet gave it, and answers If-None-Match from it: a cached
// page is neither copied nor hashed again (the other order hashes every response).
app.UseOutputCache();
app.UseConditionalGet();
app.MapRazorPages();
app.MapBadge();
app.MapLiveFigures();
app.Run();

public partial class Program;

/// <summary>Section <c>Site</c>.</summary>
public sealed class SiteOptions
{
    /// <summary>Where the API is (<c>Site__ApiBaseUrl</c>).</summary>
    [Required, Url] public string ApiBaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>How often campaign pages refresh their figures with script (<c>Site__LiveRefreshSeconds</c>).</summary>
    [Range(1, 3600)] public int LiveRefreshSeconds { get; set; } = 5;

    /// <summary>
    /// The site's public address (<c>Site__PublicBaseUrl</c>, like https://give.example.com) for links that travel, and the
    /// only host served. Unset: the request's own address.
    /// </summary>
    [Url] public string? PublicBaseUrl { get; set; }

    /// <summary>How long pages are served from the output cache (<c>Site__CacheSeconds</c>; 0 turns it off).</summary>
    [Range(0, 3600)] public int CacheSeconds { get; set; } = 5;
}
