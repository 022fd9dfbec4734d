using Gateways.EngineIO.DirectUpgrade;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Microsoft.AspNetCore.Hosting;

/// <summary>Kestrel endpoint settings for Gateways apps.</summary>
public static class GatewaysListenOptionsExtensions
{
    /// <summary>
    /// Answers WebSocket upgrades to the Gateways path on this endpoint directly on the connection, without Kestrel's
    /// HTTP/1.1 layer under the socket: an idle Socket.IO connection then keeps about a third less memory (see
    /// docs/server.md, "Many idle connections"). An upgrade from polling takes the same path; every other request on
    /// the endpoint (pages, the API, long-polling) is served by Kestrel as before.
    /// </summary>
    /// <remarks>
    /// Those WebSocket requests skip the app's HTTP middleware (<c>UseAuthentication</c>, <c>UseCors</c>, custom
    /// middleware); the Engine.IO server's own checks (allowed origins, <c>IEngineIORequestFilter</c>, pending-session
    /// and header limits), the handshake's token and every namespace's connect middleware still run. When the endpoint
    /// carries conventions only the HTTP pipeline enforces (<c>RequireAuthorization</c>, <c>RequireHost</c>,
    /// <c>RequireCors</c>, <c>RequireRateLimiting</c>), or Kestrel's <c>MaxConcurrentUpgradedConnections</c> is set, the
    /// direct path stays off and says so in the log. With TLS, call it after <c>UseHttps()</c>. Clients asking for
    /// permessage-deflate while the server compresses are left to Kestrel.
    /// </remarks>
    /// <param name="listenOptions">The endpoint, as in <c>ConfigureKestrel(k => k.ListenLocalhost(3001, l => …))</c>.</param>
    /// <returns>The endpoint, for more settings.</returns>
    public static ListenOptions UseGatewaysWebSockets(this ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        var services = listenOptions.ApplicationServices;
        listenOptions.Use(next => new DirectUpgradeMiddleware(next, services).OnConnectionAsync);
        return listenOptions;
    }
}
