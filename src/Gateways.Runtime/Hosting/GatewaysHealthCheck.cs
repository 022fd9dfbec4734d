using Gateways.Namespaces;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Gateways.Hosting;

/// <summary>
/// The server's own health check, registered by <c>AddGateways()</c> as <c>gateways</c>: Healthy with the open
/// connections and each namespace's sockets as data; Unhealthy while the host is stopping (connections are being
/// closed, so a load balancer should send new clients elsewhere) and when <c>MapGateways()</c> was never called
/// (nothing serves Socket.IO, the silent mistake of a misconfigured app).
/// </summary>
internal sealed class GatewaysHealthCheck(SocketIOServer server, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public const string Name = "gateways";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (server.Engine is not { } engine)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(
                "MapGateways() was not called: AddGateways() is configured but no endpoint serves Socket.IO."));
        }
        var data = new Dictionary<string, object>
        {
            ["connections"] = engine.SessionCount,
            ["pendingConnections"] = engine.PendingSessionCount,
        };
        // A dynamic namespace's children count under its pattern: one entry per declaration, however many tenants.
        foreach (var @namespace in server.Namespaces)
        {
            var key = $"sockets {@namespace.TelemetryName}";
            data[key] = (data.TryGetValue(key, out var count) ? (int)count : 0) + @namespace.LocalSocketCount;
        }
        return Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("Stopping: connections are being closed; send new clients to another instance.", data: data)
            : HealthCheckResult.Healthy($"{engine.SessionCount} connections.", data));
    }
}
