using System.Globalization;
using Gateways.Hosting;
using Gateways.Tests.Infrastructure;
using Gateways.Tests.Interop;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateways.Tests.Redis;

/// <summary>Several servers acting as one through a real redis-server: .NET with .NET, and .NET with Node's
/// socket.io and @socket.io/redis-adapter in the same cluster.</summary>
public sealed class RedisAdapterTests
{
    private static Task<TestGatewayServer> StartAsync(string key) => TestGatewayServer.StartAsync(gateways =>
    {
        InteropServer.Configure(gateways);
        gateways.AddRedisAdapter(options =>
        {
            options.Configuration = RedisServer.Configuration;
            options.Key = key;
        });
    });

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

    private static void AssertCluster(System.Text.Json.JsonElement r)
    {
        Assert.Equal("hello from the second server", r.GetProperty("toFirst").GetString());
        Assert.Equal("""{"text":"hello from the first server"}""", r.GetProperty("toSecond").GetRawText());
        Assert.Equal("[1,2,250]", r.GetProperty("binary").GetRawText());
        Assert.Contains(r.GetProperty("c1").GetString(), r.GetProperty("fetched").EnumerateArray().Select(e => e.GetString()));
        var rooms = r.GetProperty("rooms").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("r1", rooms);
        Assert.Contains("r2", rooms);
        Assert.Equal("r3 reached across servers", r.GetProperty("remoteJoin").GetString());
        var heard = r.GetProperty("heard");
        Assert.Equal(0, heard.GetProperty("c2").GetArrayLength());
        Assert.Equal(2, heard.GetProperty("c1").GetArrayLength());
        Assert.Equal(2, heard.GetProperty("c3").GetArrayLength());
    }
}
