using System.Text.Json;
using Gateways.Adapters.Redis;
using Xunit.Abstractions;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Redis;

/// <summary>
/// The sharded adapter through a Redis Cluster failover: a master is SIGKILLed mid-run and its replica promoted;
/// delivery to the rooms whose channels lived on it resumes by itself, and nothing reaches a socket outside its room.
/// A cluster of its own: the kill must not change the other tests' cluster.
/// </summary>
public sealed class ShardedFailoverTests(RedisCluster cluster, ITestOutputHelper output) : IClassFixture<RedisCluster>
{
    [Fact]
    public async Task DeliveryResumesOnThePromotedReplicaAndNothingEscapes()
    {
        var key = $"failover-{Guid.NewGuid():N}";
        await using var sender = await ShardedClusterServers.StartAsync(cluster, key);
        await using var receiver = await ShardedClusterServers.StartAsync(cluster, key);
        var rooms = Enumerable.Range(0, 6).Select(i => $"room-{i}").ToArray();
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
            var seq = 0;
            seq = await RoundsUntilEveryRoomHearsAsync(io, rooms, members, from: seq, TimeSpan.FromSeconds(20));

            // room-0's channel lives on the master killed; its replica takes the slots over.
            var channel = $"{key}#/#{rooms[0]}#";
            var before = await cluster.MasterOfAsync(channel);
            var killed = System.Diagnostics.Stopwatch.StartNew();
            var after = await cluster.KillMasterOfAsync(channel);
            var promoted = killed.Elapsed;
            Assert.NotEqual(before, after);

            var resumedFrom = seq;
            await RoundsUntilEveryRoomHearsAsync(io, rooms, members, from: resumedFrom, TimeSpan.FromSeconds(45));
            output.WriteLine($"master {before} killed; {after} promoted after {promoted.TotalSeconds:F1} s; every room heard again after {killed.Elapsed.TotalSeconds:F1} s");
            io.Broadcast("marker", "after");

            Assert.Equal("after", await outsider.WaitForAsync<string>("marker", TimeSpan.FromSeconds(10)));
            for (var i = 0; i < rooms.Length; i++)
            {
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

    /// <summary>Cross-server broadcasts are at-most-once (as in socket.io): sends numbered rounds until every room has
    /// heard one numbered <paramref name="from"/> or later; returns the next number.</summary>
    private static async Task<int> RoundsUntilEveryRoomHearsAsync(IGatewayBroadcaster io, string[] rooms, List<GatewayTestClient> members,
        int from, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var seq = from;
        while (true)
        {
            var silent = rooms.Where((_, i) => !ShardedClusterServers.Messages(members[i]).Any(m => m.Seq >= from)).ToArray();
            if (silent.Length == 0)
            {
                return seq;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Rooms never heard the other server from round {from} on: {string.Join(", ", silent)}.");
            foreach (var room in rooms)
            {
                io.ToRoom(room).Emit("room-message", new ShardedClusterServers.RoomMessage(room, seq));
            }
            seq++;
            await Task.Delay(250);
        }
    }
}
