using System.Globalization;
using Gateways.Adapters.Redis;
using Gateways.Hosting;
using Gateways.Tests.Infrastructure;
using Gateways.Tests.Interop;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateways.Tests.Recovery;

/// <summary>Servers for the recovery tests: a .NET one with the scenarios' handlers, connection state recovery on and
/// (with a key) the Redis Streams adapter, or a Node socket.io server with <c>@socket.io/redis-streams-adapter</c>.
/// Both take "shutdown-server", which stops the .NET host as SIGTERM would.</summary>
public static class RecoveryServers
{
    public sealed record Server(string Url, Func<ValueTask> Stop) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Stop();
    }

    /// <param name="kind">"dotnet" or "node".</param>
    /// <param name="key">The channel prefix and stream name of the cluster; null for a .NET server that keeps
    /// recovery in memory.</param>
    /// <param name="window">The recovery window of a .NET server (2 minutes by default).</param>
    /// <param name="configure">More for a .NET server's gateways.</param>
    public static async Task<Server> StartAsync(string kind, string? key, TimeSpan? window = null, Action<IGatewaysBuilder>? configure = null)
    {
        if (kind == "node")
        {
            var port = ProcessRunner.FreePort();
            var node = ProcessRunner.Start("node", ["redis-peer.mjs"], RepositoryPaths.NodeTests, new Dictionary<string, string>
            {
                ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
                ["REDIS_PORT"] = RedisServer.Port.ToString(CultureInfo.InvariantCulture),
                ["KEY"] = key ?? throw new ArgumentNullException(nameof(key), "a Node server needs the cluster's key"),
                ["MODE"] = "streams",
                ["RECOVERY_MS"] = "120000",
            }, out var output);
            await ProcessRunner.WaitForPortAsync(port, node, output, TimeSpan.FromSeconds(20));
            return new Server($"http://127.0.0.1:{port}", () =>
            {
                node.Kill(entireProcessTree: true);
                node.Dispose();
                return ValueTask.CompletedTask;
            });
        }
        var server = await TestGatewayServer.StartAsync(gateways =>
        {
            InteropServer.Configure(gateways);
            // A deploy in one event: the server stops as a host does on SIGTERM.
            gateways.AddNamespace("/", ns => ns.On("shutdown-server",
                context => context.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication()));
            if (key is not null)
            {
                gateways.AddRedisAdapter(options =>
                {
                    options.Configuration = RedisServer.Configuration;
                    options.Mode = RedisAdapterMode.Streams;
                    options.Key = key;
                    options.StreamName = key;
                });
            }
            configure?.Invoke(gateways);
        }, options =>
        {
            options.ConnectionStateRecovery.Enabled = true;
            options.ConnectionStateRecovery.MaxDisconnectionDuration = window ?? TimeSpan.FromMinutes(2);
        });
        return new Server(server.Url, server.DisposeAsync);
    }
}
