using System.Text.Json;
using Gateways.Adapters.Redis;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Gateways.Tests.Interop;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Redis;

/// <summary>What the Redis Cluster tests share: servers in sharded mode on a cluster, and the numbered room messages
/// they count.</summary>
internal static class ShardedClusterServers
{
    public sealed record RoomMessage(string Room, int Seq);

    /// <summary>An interop server whose adapter is sharded on <paramref name="cluster"/>, under its own key.</summary>
    public static Task<TestGatewayServer> StartAsync(RedisCluster cluster, string key) => TestGatewayServer.StartAsync(gateways =>
    {
        InteropServer.Configure(gateways);
        gateways.AddRedisAdapter(options =>
        {
            options.Configuration = cluster.Configuration;
            options.Key = key;
            options.Mode = RedisAdapterMode.Sharded;
        });
    });

    /// <summary>The room messages a client has heard so far.</summary>
    public static List<RoomMessage> Messages(GatewayTestClient client) =>
        [.. client.Events.Where(e => e.Name == "room-message").Select(e => e.Arguments.GetJson(0).Deserialize<RoomMessage>(JsonSerializerOptions.Web)!)];
}
