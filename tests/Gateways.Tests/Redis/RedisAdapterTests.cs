using System.Globalization;
using Gateways.Adapters.Redis;
using Gateways.Hosting;
using Gateways.Namespaces;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Gateways.Tests.Interop;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateways.Tests.Redis;

/// <summary>Several servers acting as one through a real redis-server: .NET with .NET, and .NET with Node's
/// socket.io and @socket.io/redis-adapter in the same cluster.</summary>
public sealed class RedisAdapterTests
{
    private static Task<TestGatewayServer> StartAsync(string key) => StartAsync(key, RedisServer.Configuration);

    [Fact]
    public async Task TwoDotNetServersActAsOne()
    {
        var key = $"gw-{Guid.NewGuid():N}";
        await using var first = await StartAsync(key);
        await using var second = await StartAsync(key);

        var r = await NodeScenario.RunAsync("cluster", first.Url, input: new { first = first.Url, second = second.Url });

        AssertCluster(r);
    }

    [Fact]
    public async Task DotNetAndNodeServersShareOneCluster()
    {
        var key = $"gw-{Guid.NewGuid():N}";
        await using var dotnet = await StartAsync(key);
        var port = ProcessRunner.FreePort();
        using var node = ProcessRunner.Start("node", ["redis-peer.mjs"], RepositoryPaths.NodeTests, new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["REDIS_PORT"] = RedisServer.Port.ToString(CultureInfo.InvariantCulture),
            ["KEY"] = key,
        }, out var output);
        try
        {
            await ProcessRunner.WaitForPortAsync(port, node, output, TimeSpan.FromSeconds(20));

            var r = await NodeScenario.RunAsync("cluster", dotnet.Url, input: new { first = dotnet.Url, second = $"http://127.0.0.1:{port}" });

            AssertCluster(r);
        }
        finally
        {
            node.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task WithRedisUnreachableTheServerStartsServesLocallyAndReportsDegraded()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways =>
        {
            InteropServer.Configure(gateways);
            gateways.AddRedisAdapter(options => options.Configuration = $"127.0.0.1:{ProcessRunner.FreePort()},connectTimeout=200");
        });

        var rooms = await NodeScenario.RunAsync("rooms", server.Url);
        var health = await server.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal("""[["done"]]""", rooms.GetProperty("c").GetRawText());
        Assert.Equal(HealthStatus.Degraded, health.Status);
    }

    [Theory]
    [InlineData(RedisAdapterMode.Classic)]
    [InlineData(RedisAdapterMode.Streams)]
    public async Task WhenRedisGoesAwayDeliveryStaysLocalAndTheClusterComesBackByItself(RedisAdapterMode mode)
    {
        var port = ProcessRunner.FreePort();
        var redis = StartRedis(port, out var redisOutput);
        var key = $"gw-{Guid.NewGuid():N}";
        try
        {
            await ProcessRunner.WaitForPortAsync(port, redis, redisOutput, TimeSpan.FromSeconds(10));
            await using var first = await StartAsync(key, $"127.0.0.1:{port}", mode);
            await using var second = await StartAsync(key, $"127.0.0.1:{port}", mode);
            AssertCluster(await NodeScenario.RunAsync("cluster", first.Url, input: new { first = first.Url, second = second.Url }), mode);

            redis.Kill(entireProcessTree: true);
            await redis.WaitForExitAsync();
            Assert.True(await WaitForHealthAsync(first, HealthStatus.Degraded, TimeSpan.FromSeconds(15)), "the health check did not report Degraded");
            // Local delivery goes on while Redis is away.
            var local = await NodeScenario.RunAsync("rooms", first.Url);
            Assert.Equal("""[["done"]]""", local.GetProperty("c").GetRawText());

            redis = StartRedis(port, out redisOutput);
            await ProcessRunner.WaitForPortAsync(port, redis, redisOutput, TimeSpan.FromSeconds(10));
            Assert.True(await WaitForHealthAsync(first, HealthStatus.Healthy, TimeSpan.FromSeconds(45)), "the adapter did not reconnect");
            Assert.True(await WaitForHealthAsync(second, HealthStatus.Healthy, TimeSpan.FromSeconds(45)), "the adapter did not reconnect");
            AssertCluster(await NodeScenario.RunAsync("cluster", first.Url, input: new { first = first.Url, second = second.Url }), mode);
            Assert.True(first.Logs.Contains(Microsoft.Extensions.Logging.LogLevel.Warning, "Redis adapter: connection lost"));
        }
        finally
        {
            redis.Kill(entireProcessTree: true);
            redis.Dispose();
        }
    }

    [Theory]
    [InlineData(RedisAdapterMode.Classic)]
    [InlineData(RedisAdapterMode.Sharded)]
    [InlineData(RedisAdapterMode.Streams)]
    public async Task ARoomJoinedWhileRedisWasAwayHearsTheOtherServerOnceRedisIsBack(RedisAdapterMode mode)
    {
        var port = ProcessRunner.FreePort();
        var redis = StartRedis(port, out var redisOutput);
        var key = $"gw-{Guid.NewGuid():N}";
        try
        {
            await ProcessRunner.WaitForPortAsync(port, redis, redisOutput, TimeSpan.FromSeconds(10));
            await using var first = await StartAsync(key, $"127.0.0.1:{port}", mode);
            await using var second = await StartAsync(key, $"127.0.0.1:{port}", mode);
            await using var client = await GatewayTestClient.ConnectAsync(new Uri(first.Url));

            redis.Kill(entireProcessTree: true);
            await redis.WaitForExitAsync();
            Assert.True(await WaitForHealthAsync(first, HealthStatus.Degraded, TimeSpan.FromSeconds(15)), "the health check did not report Degraded");
            // In sharded mode this room gets a channel of its own, subscribed while Redis is away.
            await client.EmitWithAckAsync("join", "joined-while-away");
            redis = StartRedis(port, out redisOutput);
            await ProcessRunner.WaitForPortAsync(port, redis, redisOutput, TimeSpan.FromSeconds(10));
            Assert.True(await WaitForHealthAsync(first, HealthStatus.Healthy, TimeSpan.FromSeconds(45)), "the adapter did not reconnect");
            Assert.True(await WaitForHealthAsync(second, HealthStatus.Healthy, TimeSpan.FromSeconds(45)), "the adapter did not reconnect");

            // Broadcasts are at-most-once: send until one arrives, or give up after a few seconds.
            var io = second.Services.GetRequiredService<SocketIOServer>().Of("/");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            string? heard = null;
            while (heard is null && DateTime.UtcNow < deadline)
            {
                io.To("joined-while-away").Emit("room-message", "from the second server");
                try
                {
                    heard = await client.WaitForAsync<string>("room-message", TimeSpan.FromMilliseconds(500));
                }
                catch (TimeoutException)
                {
                }
            }
            Assert.Equal("from the second server", heard);
        }
        finally
        {
            redis.Kill(entireProcessTree: true);
            redis.Dispose();
        }
    }

    /// <summary>In streams mode with connection state recovery on, so broadcasts take the path that waits for their
    /// stream offset (and must not wait for a Redis that is gone).</summary>
    private static Task<TestGatewayServer> StartAsync(string key, string configuration, RedisAdapterMode mode = RedisAdapterMode.Classic) =>
        TestGatewayServer.StartAsync(gateways =>
        {
            InteropServer.Configure(gateways);
            gateways.AddRedisAdapter(options =>
            {
                options.Configuration = configuration;
                options.Key = key;
                options.Mode = mode;
                options.StreamName = key;
            });
        }, options => options.ConnectionStateRecovery.Enabled = mode == RedisAdapterMode.Streams);

    private static System.Diagnostics.Process StartRedis(int port, out System.Text.StringBuilder output) =>
        ProcessRunner.Start("redis-server", ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            Path.GetTempPath(), null, out output);

    private static async Task<bool> WaitForHealthAsync(TestGatewayServer server, HealthStatus expected, TimeSpan timeout)
    {
        var health = server.Services.GetRequiredService<HealthCheckService>();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if ((await health.CheckHealthAsync()).Status == expected)
            {
                return true;
            }
            await Task.Delay(200);
        }
        return false;
    }

    /// <param name="r">The "cluster" scenario's result.</param>
    /// <param name="mode">In streams mode, as in Node's, the rooms listed are the first server's own.</param>
    private static void AssertCluster(System.Text.Json.JsonElement r, RedisAdapterMode mode = RedisAdapterMode.Classic)
    {
        Assert.Equal("hello from the second server", r.GetProperty("toFirst").GetString());
        Assert.Equal("""{"text":"hello from the first server"}""", r.GetProperty("toSecond").GetRawText());
        Assert.Equal("[1,2,250]", r.GetProperty("binary").GetRawText());
        Assert.Contains(r.GetProperty("c1").GetString(), r.GetProperty("fetched").EnumerateArray().Select(e => e.GetString()));
        var rooms = r.GetProperty("rooms").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("r1", rooms);
        Assert.Equal(mode == RedisAdapterMode.Classic, rooms.Contains("r2"));
        Assert.Equal("r3 reached across servers", r.GetProperty("remoteJoin").GetString());
        // A broadcast with acknowledgements from the first server collects the answer of a client on the second.
        Assert.Equal("""["c3 answers q"]""", r.GetProperty("askAcross").GetRawText());
        var heard = r.GetProperty("heard");
        Assert.Equal(0, heard.GetProperty("c2").GetArrayLength());
        Assert.Equal(2, heard.GetProperty("c1").GetArrayLength());
        Assert.Equal(2, heard.GetProperty("c3").GetArrayLength());
    }
}
