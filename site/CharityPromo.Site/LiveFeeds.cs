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
                if (_feeds.TryUpdate(slug, next, feed)) return Kept(slug, next);
            }
            else
            {
                var first = new Feed(AskAsync(slug), now);
                if (_feeds.TryAdd(slug, first)) return Kept(slug, first);
            }
        }
    }

    // Not the reader's token: the answer is shared, and one reader leaving must not cancel it for the others. The API
    // client's own timeout bounds it. The typed client is made per ask, as the HttpClient factory intends, so its
    // handlers keep being renewed. A slug the API does not know is not kept: made-up ones must not fill the memory.
    private Task<Fetched<CampaignSummary>> AskAsync(string slug) => services.GetRequiredService<PublicApi>().CampaignAsync(slug, CancellationToken.None);

    /// <summary>Once the answer is in: drops the feed if the API does not know the campaign (after it was added, however fast the answer).</summary>
    private Task<Fetched<CampaignSummary>> Kept(string slug, Feed feed)
    {
        _ = feed.Fetch.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully && t.Result.State == FetchState.NotFound) _feeds.TryRemove(new KeyValuePair<string, Feed>(slug, feed));
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return feed.Fetch;
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
