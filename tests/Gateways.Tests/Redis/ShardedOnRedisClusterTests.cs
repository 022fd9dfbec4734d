using System.Text.Json;
using Gateways.Adapters.Redis;
using Gateways.Hosting;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Redis;

/// <summary>
/// The sharded adapter on a real Redis Cluster (three masters, a replica each), not a standalone redis-server: room
/// channels whose hash slots live on every shard, two servers, and no message reaching a socket outside its room.
/// (A master killed mid-run: ShardedFailoverTests.)
/// </summary>
public sealed class ShardedOnRedisClusterTests(RedisCluster cluster) : IClassFixture<RedisCluster>
{
    [Fact]
    public async Task RoomsWhoseChannelsLiveOnEveryShardHearTheOtherServerAndNothingEscapes()
    {
        var key = $"cluster-{Guid.NewGuid():N}";
        await using var sender = await ShardedClusterServers.StartAsync(cluster, key);
        await using var receiver = await ShardedClusterServers.StartAsync(cluster, key);
        var rooms = Enumerable.Range(0, 9).Select(i => $"room-{i}").ToArray();
        // The sharded adapter's room channel (Node's createShardedAdapter): "{key}#{nsp}#{room}#".
        var masters = await Task.WhenAll(rooms.Select(room => cluster.MasterOfAsync($"{key}#/#{room}#")));
        Assert.Equal(3, masters.Distinct().Count());

        var members = new List<GatewayTestClient>();
        try
        {
            foreach (var room in rooms)
            {
                var client = await GatewayTestClient.ConnectAsync(new Uri(receiver.Url));
                members.Add(client);
                await client.EmitWithAckAsync("join", room);
            }
            await using var outsider = await GatewayTestClient.ConnectAsync(new Uri(receiver.Url));
            var io = sender.Services.GetRequiredService<IGatewayBroadcaster>();

            // Subscriptions are made in the background, and cross-server broadcasts are at-most-once (as in
            // socket.io): send numbered rounds until every room has heard one.
            var heard = new ShardedClusterServers.RoomMessage?[rooms.Length];
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            for (var seq = 0; heard.Any(h => h is null); seq++)
            {
                Assert.True(DateTime.UtcNow < deadline, $"Rooms never heard the other server: {string.Join(", ", rooms.Where((_, i) => heard[i] is null))}.");
                for (var i = 0; i < rooms.Length; i++)
                {
                    io.ToRoom(rooms[i]).Emit("room-message", new ShardedClusterServers.RoomMessage(rooms[i], seq));
                }
                await Task.Delay(200);
                for (var i = 0; i < rooms.Length; i++)
                {
                    heard[i] ??= ShardedClusterServers.Messages(members[i]).FirstOrDefault();
                }
            }
            io.Broadcast("marker", "after");

            // Everyone hears the marker, published after the rounds: by then each room message has arrived or never will.
            Assert.Equal("after", await outsider.WaitForAsync<string>("marker"));
            for (var i = 0; i < rooms.Length; i++)
            {
                Assert.Equal("after", await members[i].WaitForAsync<string>("marker"));
                Assert.All(ShardedClusterServers.Messages(members[i]), message => Assert.Equal(rooms[i], message.Room));
            }
            Assert.Empty(ShardedClusterServers.Messages(outsider));
        }
        finally
        {
            foreach (var client in members)
            {
                await client.DisposeAsync();
            }
        }
    }
}
