using System.Net;
using System.Net.Sockets;

namespace CharityPromo.Api.Webhooks;

/// <summary>
/// Where a webhook may go. Receivers are the integrator's servers on the internet: https, at public addresses. Plain
/// http, and loopback addresses, only with <c>Webhooks__AllowLoopback=true</c> (tests, the local demo). Private,
/// link-local and other internal addresses never. Checked when an endpoint is registered and again on every
/// connection, against the address actually connected to: a name that resolved to a public address at registration
/// and to an internal one later (DNS rebinding) is refused then.
/// </summary>
internal static class WebhookTargets
{
    /// <summary>What is wrong with the URL's form, or null.</summary>
    public static string? UrlProblem(string url, bool allowLoopback)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || string.IsNullOrEmpty(uri.Host))
            return "'url' must be an absolute https URL.";
        if (uri.UserInfo.Length > 0) return "'url' must not carry a user name or password.";
        if (uri.Scheme == "http" && !(allowLoopback && IsLoopbackHost(uri)))
            return allowLoopback ? "'url' must be https; plain http is allowed only to a loopback address." : "'url' must be https.";
        return null;
    }

    /// <summary>What is wrong with where the URL's host resolves (now), or null.</summary>
    public static async Task<string?> AddressProblemAsync(Uri uri, bool allowLoopback, CancellationToken ct)
    {
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.IdnHost, ct);
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException) // ArgumentException: a name longer than DNS allows
        {
            return $"'url''s host '{uri.Host}' does not resolve.";
        }
        if (addresses.Length == 0) return $"'url''s host '{uri.Host}' does not resolve.";
        return addresses.FirstOrDefault(a => !IsAllowed(a, allowLoopback)) is { } refused
            ? $"'url''s host '{uri.Host}' resolves to {refused}, an internal address: webhooks go to public addresses only."
            : null;
    }

    /// <summary>Connects only to an allowed address of the host, the one checked: for <see cref="SocketsHttpHandler.ConnectCallback"/>.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Connect(bool allowLoopback) => async (context, ct) =>
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        if (addresses.FirstOrDefault(a => !IsAllowed(a, allowLoopback)) is { } refused)
            throw new RefusedAddressException($"'{host}' resolves to {refused}, an internal address: not sent.");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    };

    public static bool IsAllowed(IPAddress address, bool allowLoopback)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return allowLoopback;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.Equals(IPAddress.IPv6None)
                     || (b[0] & 0xFE) == 0xFC); // fc00::/7, unique local
        }
        var v4 = address.GetAddressBytes();
        return v4[0] switch
        {
            0 or 10 or 127 => false, // "this network", private, loopback
            100 => v4[1] is < 64 or > 127, // 100.64.0.0/10, carrier-grade NAT
            169 => v4[1] != 254, // link-local (cloud metadata lives here)
            172 => v4[1] is < 16 or > 31,
            192 => !(v4[1] == 168 || (v4[1] == 0 && v4[2] == 0)),
            >= 224 => false, // multicast, reserved, broadcast
            _ => true,
        };
    }

    private static bool IsLoopbackHost(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}

/// <summary>A receiver whose host resolves to an address webhooks may not go to.</summary>
internal sealed class RefusedAddressException(string message) : Exception(message);
