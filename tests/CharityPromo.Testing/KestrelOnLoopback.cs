using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CharityPromo.Testing;

/// <summary>
/// Puts a <see cref="WebApplicationFactory{TEntryPoint}"/> on real Kestrel at 127.0.0.1 on a free port, started once.
/// </summary>
/// <remarks>
/// Not <c>UseKestrel(0)</c>: for a minimal-hosting app the factory lets the app's own <c>Main</c> run on to
/// <c>app.Run()</c> while it sets the port on the built host, so on a busy machine Kestrel can start first and the
/// factory throws "Addresses cannot be modified after the server has started". A listen endpoint configured on
/// Kestrel's options is read when the server starts, whoever starts it. And <c>StartServer</c> is not thread-safe:
/// the <see cref="Lazy{T}"/> makes concurrent first requests wait for the one start.
/// </remarks>
public static class KestrelOnLoopback
{
    public static Lazy<Uri> StartOnce<T>(WebApplicationFactory<T> factory, Action startServer) where T : class
    {
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        return new Lazy<Uri>(() =>
        {
            startServer();
            return factory.ClientOptions.BaseAddress;
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }
}
