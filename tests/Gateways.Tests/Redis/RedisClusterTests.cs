using System.Globalization;
using System.Text.Json;
using Gateways.Adapters.Redis;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Gateways.Tests.Security;

namespace Gateways.Tests.Redis;

/// <summary>
/// Two servers on one real redis-server acting as one, in both protocols of @socket.io/redis-adapter (classic and
/// sharded): two .NET servers, and a .NET server beside Node's socket.io in both directions (Node asks, .NET
/// answers, and the reverse). Every cluster operation is started on server A and observed through clients or state on
/// server B, or the other way round.
/// </summary>
public sealed class RedisClusterTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);

    public static TheoryData<string, string, RedisAdapterMode> Clusters()
    {
        var data = new TheoryData<string, string, RedisAdapterMode>();
        foreach (var mode in new[] { RedisAdapterMode.Classic, RedisAdapterMode.Sharded, RedisAdapterMode.Streams })
        {
            data.Add("dotnet", "dotnet", mode);
            data.Add("dotnet", "node", mode);
            data.Add("node", "dotnet", mode);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Clusters))]
    public async Task ClusterOperationsStartedOnOneServerReachTheOther(string kindA, string kindB, RedisAdapterMode mode)
    {
        var key = $"gw-{Guid.NewGuid():N}";
        await using var a = await ClusterPeers.StartAsync(kindA, key, mode);
        await using var b = await ClusterPeers.StartAsync(kindB, key, mode);
        await ClusterPeers.WaitForClusterAsync(a, b);
        await using var alice = await ConnectAsync(a, "alice");
        await using var bob = await ConnectAsync(b, "bob");
        await using var carol = await ConnectAsync(b, "carol");
        await alice.EmitWithAckAsync("join", "r1");
        await alice.EmitWithAckAsync("join", "r2");
        await bob.EmitWithAckAsync("join", "r2");
        await Task.Delay(Settle);

        // A room broadcast, a binary one and a message to one user, from B to a client on A.
        await b.EmitAsync(Target.To("r1"), "news", "from B");
        Assert.Equal("from B", await alice.WaitForAsync<string>("news"));
        await b.EmitAsync(Target.To("r1"), "bytes", new byte[] { 1, 2, 250 });
        Assert.Equal([1, 2, 250], (await alice.WaitForAsync("bytes")).GetBinary(0).ToArray());
        await b.SendToUserAsync("alice", "dm", "hi alice");
        Assert.Equal("hi alice", await alice.WaitForAsync<string>("dm"));

        // All but a room, from A: only carol (on B) is outside r2. A marker sent after it shows the others got nothing.
        await a.EmitAsync(Target.AllExcept("r2"), "outside", "not for r2");
        Assert.Equal("not for r2", await carol.WaitForAsync<string>("outside"));
        await a.EmitAsync(Target.All, "marker", 1);
        foreach (var client in new[] { alice, bob, carol })
        {
            await client.WaitForAsync("marker");
        }
        Assert.DoesNotContain(alice.Events, e => e.Name == "outside");
        Assert.DoesNotContain(bob.Events, e => e.Name == "outside");

        // Fetch the sockets of a room across the cluster: ids, rooms and user ids.
        var fetched = await a.FetchAsync(Target.To("r2"));
        Assert.Equal(new[] { alice.Id, bob.Id }.Order(StringComparer.Ordinal), fetched.Select(s => s.Id).Order(StringComparer.Ordinal));
        Assert.All(fetched, s => Assert.Contains("r2", s.Rooms));
        Assert.Equal(["alice", "bob"], fetched.Select(s => s.UserId).Order(StringComparer.Ordinal));

        // Make the sockets of r2 join r3 from A; a broadcast from B to r3 reaches both; then they leave it again.
        await a.JoinAsync(Target.To("r2"), "r3");
        await Task.Delay(Settle);
        Assert.Equal(2, (await b.FetchAsync(Target.To("r3"))).Count);
        await b.EmitAsync(Target.To("r3"), "r3", "joined across servers");
        Assert.Equal("joined across servers", await alice.WaitForAsync<string>("r3"));
        Assert.Equal("joined across servers", await bob.WaitForAsync<string>("r3"));
        await a.LeaveAsync(Target.To("r3"), "r3");
        await Task.Delay(Settle);
        Assert.Empty(await b.FetchAsync(Target.To("r3")));

        // A broadcast with acknowledgements collects the answers of clients on both servers.
        alice.On("question", args => $"alice answers {args.Get<string>(0)}");
        bob.On("question", args => $"bob answers {args.Get<string>(0)}");
        var answers = await a.BroadcastWithAckAsync(Target.To("r2"), "question", "q", TimeSpan.FromSeconds(5));
        Assert.Equal(["alice answers q", "bob answers q"], answers.Order(StringComparer.Ordinal));

        // Server-side emits: plain, then with an answer from the other server.
        await a.ServerSideEmitAsync("note", "from A", 7);
        await Eventually(async () => Assert.Contains("""["from A",7]""", await b.ServerEventsAsync()));
        Assert.Equal([$"{b.Kind} got x"], await a.ServerSideEmitWithAckAsync("ping-servers", "x", TimeSpan.FromSeconds(6)));
        Assert.Equal([$"{a.Kind} got y"], await b.ServerSideEmitWithAckAsync("ping-servers", "y", TimeSpan.FromSeconds(6)));

        // Disconnect the sockets of one user's room from A: carol (on B) goes, alice stays.
        await a.DisconnectAsync(Target.To("carol"));
        Assert.True(await carol.WaitForDisconnectAsync(TimeSpan.FromSeconds(5)), "carol was not disconnected across servers");
        await b.EmitAsync(Target.All, "still-here", "yes");
        Assert.Equal("yes", await alice.WaitForAsync<string>("still-here"));
        Assert.True(alice.Connected);
    }

    [Theory]
    [InlineData(RedisAdapterMode.Classic)]
    [InlineData(RedisAdapterMode.Sharded)]
    [InlineData(RedisAdapterMode.Streams)]
    public async Task AServerSideEmitWithAckTimesOutWhenAServerDoesNotAnswerInTime(RedisAdapterMode mode)
    {
        var key = $"gw-{Guid.NewGuid():N}";
        await using var a = await ClusterPeers.StartAsync("dotnet", key, mode);
        await using var b = await ClusterPeers.StartAsync("dotnet", key, mode);
        await ClusterPeers.WaitForClusterAsync(a, b);

        // B's "slow" listener answers after 3 s.
        var error = await Assert.ThrowsAsync<TimeoutException>(() => a.ServerSideEmitWithAckAsync("slow", "?", TimeSpan.FromMilliseconds(300)));

        Assert.Contains("0 of 1 servers answered", error.Message);
        // The cluster still answers afterwards.
        Assert.Equal(["dotnet got z"], await a.ServerSideEmitWithAckAsync("ping-servers", "z", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task AFailingServerSideListenerIsLoggedAndLeavesTheServerServing()
    {
        var key = $"gw-{Guid.NewGuid():N}";
        await using var a = await ClusterPeers.StartAsync("dotnet", key, RedisAdapterMode.Classic);
        await using var b = await ClusterPeers.StartAsync("dotnet", key, RedisAdapterMode.Classic);
        await ClusterPeers.WaitForClusterAsync(a, b);

        // B's "boom" listener throws: B logs it and does not answer, so A's wait ends at its timeout.
        await Assert.ThrowsAsync<TimeoutException>(() => a.ServerSideEmitWithAckAsync("boom", "?", TimeSpan.FromMilliseconds(500)));

        Assert.True(await ((DotNetPeer)b).Server.Logs.WaitForAsync(Microsoft.Extensions.Logging.LogLevel.Error,
            "the server-side listener of 'boom' in namespace '/' failed", TimeSpan.FromSeconds(5)));
        Assert.Equal(["dotnet got ok"], await a.ServerSideEmitWithAckAsync("ping-servers", "ok", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task AServerSideEmitWithAckOnASingleServerCompletesAtOnceWithNoAnswers()
    {
        await using var a = await ClusterPeers.StartAsync("dotnet", $"gw-{Guid.NewGuid():N}", RedisAdapterMode.Classic);
        await ClusterPeers.WaitForClusterAsync(a);

        Assert.Empty(await a.ServerSideEmitWithAckAsync("ping-servers", "alone", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task TheRedisEmitterReachesDotNetSockets()
    {
        var key = $"gw-{Guid.NewGuid():N}";
        await using var server = await ClusterPeers.StartAsync("dotnet", key, RedisAdapterMode.Classic);
        await using var alice = await ConnectAsync(server, "alice");
        await using var bob = await ConnectAsync(server, "bob");
        await alice.EmitWithAckAsync("join", "r1");

        await ProcessRunner.RunAsync("node", ["emitter.mjs"], RepositoryPaths.NodeTests, TimeSpan.FromSeconds(30), new Dictionary<string, string>
        {
            ["REDIS_PORT"] = RedisServer.Port.ToString(CultureInfo.InvariantCulture),
            ["KEY"] = key,
        });

        Assert.Equal("to everyone", await alice.WaitForAsync<string>("hello"));
        Assert.Equal("to everyone", await bob.WaitForAsync<string>("hello"));
        Assert.Equal(1, (await alice.WaitForAsync("room")).GetJson(0).GetProperty("n").GetInt32());
        Assert.Equal("only outside r1", await bob.WaitForAsync<string>("not-r1"));
        Assert.Equal([1, 2, 250], (await alice.WaitForAsync("bytes")).GetBinary(0).ToArray());
        Assert.Equal("joined by the emitter", await alice.WaitForAsync<string>("r9"));
        Assert.Contains("""["from the emitter",42]""", await server.ServerEventsAsync());
        Assert.True(await bob.WaitForDisconnectAsync(TimeSpan.FromSeconds(5)), "the emitter's disconnectSockets did not reach bob");
        Assert.DoesNotContain(bob.Events, e => e.Name is "room" or "bytes" or "r9");
        Assert.DoesNotContain(alice.Events, e => e.Name == "not-r1");
        Assert.Single(alice.Events, e => e.Name == "r9");
        Assert.True(alice.Connected);
    }

    private static Task<GatewayTestClient> ConnectAsync(IClusterPeer peer, string user) =>
        GatewayTestClient.ConnectAsync(peer.Url, new GatewayTestClientOptions { Token = TestTokens.Create(user) });

    private static async Task Eventually(Func<Task> assertion)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            try
            {
                await assertion();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
