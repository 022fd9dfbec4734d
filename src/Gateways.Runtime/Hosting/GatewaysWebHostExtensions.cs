using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Hosting conventions shared by Gateways apps.</summary>
public static class GatewaysWebHostExtensions
{
    /// <summary>The conventional port of a Gateways app, as in the NestJS seed.</summary>
    public const int DefaultPort = 3001;

    /// <summary>Listens on <c>http://localhost:{WS_PORT}</c> (IPv4 and IPv6 loopback), taking the port from the
    /// <c>WS_PORT</c> environment variable or configuration key, <paramref name="defaultPort"/> when unset.</summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="defaultPort">The port when <c>WS_PORT</c> is unset.</param>
    /// <returns>The port in use.</returns>
    /// <exception cref="InvalidOperationException"><c>WS_PORT</c> is not a port number.</exception>
    public static int ListenOnGatewaysPort(this WebApplicationBuilder builder, int defaultPort = DefaultPort)
    {
        var port = Port(builder, defaultPort);
        builder.WebHost.UseUrls($"http://localhost:{port}");
        return port;
    }

    /// <summary>Listens on <c>localhost:{WS_PORT}</c> (IPv4 and IPv6 loopback) like
    /// <see cref="ListenOnGatewaysPort(WebApplicationBuilder, int)"/>, with the endpoint set up by
    /// <paramref name="configure"/>, such as <c>listen => listen.UseGatewaysWebSockets()</c>.</summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="configure">Sets up the Kestrel endpoint.</param>
    /// <returns>The port in use (<see cref="DefaultPort"/> when <c>WS_PORT</c> is unset).</returns>
    /// <exception cref="InvalidOperationException"><c>WS_PORT</c> is not a port number.</exception>
    public static int ListenOnGatewaysPortWith(this WebApplicationBuilder builder, Action<ListenOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var port = Port(builder, DefaultPort);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenLocalhost(port, configure));
        return port;
    }

    private static int Port(WebApplicationBuilder builder, int defaultPort)
    {
        var configured = builder.Configuration["WS_PORT"];
        var port = defaultPort;
        if (!string.IsNullOrWhiteSpace(configured) && (!int.TryParse(configured, out port) || port is < 0 or > 65535))
        {
            throw new InvalidOperationException($"WS_PORT must be a port number from 0 to 65535; got '{configured}'.");
        }
        return port;
    }
}
