using System.Net;
using CharityPromo.Api.Tests.Integration.Webhooks;
using CharityPromo.Api.Webhooks;

namespace CharityPromo.Api.Tests.Unit;

public class WebhookTargetsTests
{
    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("172.16.5.4", false)]
    [InlineData("172.32.0.1", true)]
    [InlineData("192.168.0.10", false)]
    [InlineData("169.254.169.254", false)] // cloud metadata
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd12:3456::1", false)]
    [InlineData("::ffff:10.0.0.1", false)] // an IPv4-mapped private address is still private
    public void OnlyPublicAddressesAreAllowed(string address, bool allowed) =>
        WebhookTargets.IsAllowed(IPAddress.Parse(address), allowLoopback: false).ShouldBe(allowed);

    [Fact]
    public void LoopbackIsAllowedOnlyWhenTheSettingSaysSo()
    {
        WebhookTargets.IsAllowed(IPAddress.Loopback, allowLoopback: true).ShouldBeTrue();
        WebhookTargets.IsAllowed(IPAddress.Parse("10.0.0.1"), allowLoopback: true).ShouldBeFalse();
        WebhookTargets.UrlProblem("http://127.0.0.1:5099/hooks", allowLoopback: true).ShouldBeNull();
        WebhookTargets.UrlProblem("http://localhost:5099/hooks", allowLoopback: true).ShouldBeNull();
        WebhookTargets.UrlProblem("http://127.0.0.1:5099/hooks", allowLoopback: false).ShouldNotBeNull();
        WebhookTargets.UrlProblem("http://erp.example/hooks", allowLoopback: true).ShouldNotBeNull();
        WebhookTargets.UrlProblem("https://user:pw@erp.example/hooks", allowLoopback: false).ShouldNotBeNull();
        WebhookTargets.UrlProblem("https://erp.example/hooks", allowLoopback: false).ShouldBeNull();
    }

    [Fact]
    public async Task TheConnectionItselfIsRefusedWhenTheHostResolvesInside()
    {
        // What a delivery does when a name that was public at registration now resolves to an internal address.
        await using var receiver = await WebhookReceiver.StartAsync();
        using var refusing = new HttpClient(new SocketsHttpHandler { ConnectCallback = WebhookTargets.Connect(allowLoopback: false) });
        var refused = await Should.ThrowAsync<HttpRequestException>(() => refusing.PostAsync(receiver.Url.Replace("127.0.0.1", "localhost"), new StringContent("{}")));
        refused.InnerException.ShouldBeOfType<RefusedAddressException>();
        receiver.Requests.ShouldBeEmpty();

        using var allowing = new HttpClient(new SocketsHttpHandler { ConnectCallback = WebhookTargets.Connect(allowLoopback: true) });
        (await allowing.PostAsync(receiver.Url, new StringContent("{}"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        receiver.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public void RetriesDoubleFromTheBaseUpToTheMaximum()
    {
        var options = new WebhookOptions { RetryBase = TimeSpan.FromMinutes(1) };
        Enumerable.Range(1, 11).Select(a => options.RetryDelay(a).TotalMinutes).ShouldBe([1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360]);
    }
}
