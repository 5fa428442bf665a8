using System.Collections.Concurrent;
using System.Net;
using CharityPromo.Site.Api;
using Microsoft.Extensions.Options;

namespace CharityPromo.Site;

/// <summary>
/// What the campaign pages' event streams share. However many readers watch a campaign, the API is asked for its
/// figures at most once per <c>Site:LiveRefreshSeconds</c>: the first stream that finds them older asks, and every
/// other stream takes that answer. And streams are capped, per client address (<c>Site:MaxStreamsPerAddress</c>) and
/// in all (<c>Site:MaxStreams</c>), since each holds a connection open for minutes.
/// </summary>
public sealed class LiveFeeds(IServiceProvider services, IOptions<SiteOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Feed> _feeds = new();
    private readonly ConcurrentDictionary<string, int> _streamsByAddress = new();
    private int _streams;

    private sealed record Feed(Task<Fetched<CampaignSummary>> Fetch, DateTimeOffset AskedAt);

    /// <summary>The campaign's figures, asked of the API only when the last answer is a refresh period old.</summary>
    public Task<Fetched<CampaignSummary>> FiguresAsync(string slug)
    {
        var every = TimeSpan.FromSeconds(options.Value.LiveRefreshSeconds);
        while (true)
        {
            var now = clock.GetUtcNow();
            if (_feeds.TryGetValue(slug, out var feed))
            {
                if (now - feed.AskedAt < every || !feed.Fetch.IsCompleted) return feed.Fetch;
                var next = new Feed(AskAsync(slug), now);
                if (_feeds.TryUpdate(slug, next, feed)) return next.Fetch;
            }
            else
            {
                var first = new Feed(AskAsync(slug), now);
                if (_feeds.TryAdd(slug, first)) return first.Fetch;
            }
        }
    }

    // Not the reader's token: the answer is shared, and one reader leaving must not cancel it for the others. The API
    // client's own timeout bounds it. The typed client is made per ask, as the HttpClient factory intends, so its
    // handlers keep being renewed. A slug the API does not know is not kept: made-up ones must not fill the memory.
    private async Task<Fetched<CampaignSummary>> AskAsync(string slug)
    {
        var fetched = await services.GetRequiredService<PublicApi>().CampaignAsync(slug, CancellationToken.None);
        if (fetched.State == FetchState.NotFound) _feeds.TryRemove(slug, out _);
        return fetched;
    }

    public int Campaigns => _feeds.Count;

    /// <summary>A place for one more stream from <paramref name="address"/>, or null when a cap is reached.</summary>
    public IDisposable? TryOpen(IPAddress? address)
    {
        var key = address?.ToString() ?? "";
        if (Interlocked.Increment(ref _streams) > options.Value.MaxStreams)
        {
            Interlocked.Decrement(ref _streams);
            return null;
        }
        if (_streamsByAddress.AddOrUpdate(key, 1, (_, n) => n + 1) > options.Value.MaxStreamsPerAddress)
        {
            Close(key);
            return null;
        }
        return new Place(this, key);
    }

    private void Close(string key)
    {
        Interlocked.Decrement(ref _streams);
        _streamsByAddress.AddOrUpdate(key, 0, (_, n) => n - 1);
        _streamsByAddress.TryRemove(new KeyValuePair<string, int>(key, 0));
    }

    public int OpenStreams => Volatile.Read(ref _streams);

    private sealed class Place(LiveFeeds feeds, string key) : IDisposable
    {
        private int _closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0) feeds.Close(key);
        }
    }
}
