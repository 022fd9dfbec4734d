using Gateways.Adapters.Redis;
using Gateways.AdminUI;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.AdminUI;

/// <summary>One page, two servers on a real redis-server: the page connected to the first sees the second's stats,
/// sockets and events, and its operations reach the second's sockets — through the adapters, as with Node's
/// admin-ui.</summary>
public sealed class AdminUIClusterTests
{
    [Theory]
    [InlineData(RedisAdapterMode.Classic)]
    [InlineData(RedisAdapterMode.Sharded)]
    [InlineData(RedisAdapterMode.Streams)]
    public async Task APageOnOneServerSeesAndActsOnTheWholeCluster(RedisAdapterMode mode)
    {
        var key = $"gw-{Guid.NewGuid():N}";
        await using var first = await StartAsync(key, mode, "first");
        await using var second = await StartAsync(key, mode, "second");
        await using var admin = await AdminUITests.ConnectAdminAsync(first);

        // Both servers' stats reach the page (the second's through its admin namespace's adapter).
        await admin.WaitForAsync("server_stats", a => a.GetJson(0).GetProperty("serverId").GetString() == "second",
            TimeSpan.FromSeconds(15));

        await using var there = await GatewayTestClient.ConnectAsync(new Uri(second.Url), new GatewayTestClientOptions { Namespace = "/chat" });
        var connected = await admin.WaitForAsync("socket_connected", a => a.GetJson(0).GetProperty("id").GetString() == there.Id);
        Assert.Equal("/chat", connected.GetJson(0).GetProperty("nsp").GetString());

        // A page that connects now lists the other server's socket, with the engine id and transport it keeps.
        await using var later = await AdminUITests.ConnectAdminAsync(first);
        var sockets = (await later.WaitForAsync("all_sockets", timeout: TimeSpan.FromSeconds(15))).GetJson(0).EnumerateArray();
        var listed = Assert.Single(sockets, s => s.GetProperty("id").GetString() == there.Id);
        Assert.Equal("websocket", listed.GetProperty("transport").GetString());
        Assert.Equal(12, listed.GetProperty("clientId").GetString()!.Length);
        Assert.False(listed.GetProperty("data").TryGetProperty("_admin", out _));

        await there.EmitWithAckAsync<string>("hello", "from the second server");
        var received = await admin.WaitForAsync("event_received", a => a.Get<string>(1) == there.Id);
        Assert.Equal("""["hello","from the second server"]""", received.GetJson(2).GetRawText());

        await admin.EmitAsync("join", "/chat", "vip");
        await admin.WaitForAsync("room_joined", a => a.Get<string>(1) == "vip" && a.Get<string>(2) == there.Id);
        await admin.EmitAsync("emit", "/chat", "vip", "news", "cluster-wide");
        Assert.Equal("cluster-wide", (await there.WaitForAsync("news")).Get<string>(0));
    }

    private static Task<TestGatewayServer> StartAsync(string key, RedisAdapterMode mode, string serverId) =>
        AdminUITests.StartAsync(options => options.ServerId = serverId, gateways => gateways.AddRedisAdapter(options =>
        {
            options.Configuration = RedisServer.Configuration;
            options.Key = key;
            options.Mode = mode;
            options.StreamName = key;
        }));
}
