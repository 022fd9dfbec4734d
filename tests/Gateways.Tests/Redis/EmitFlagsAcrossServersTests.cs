using System.Text.Json;
using Gateways.Hosting;
using Gateways.Adapters.Redis;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Gateways.Tests.Infrastructure.RawPolling;

namespace Gateways.Tests.Redis;

/// <summary>socket.io's <c>local</c> and <c>volatile</c> flags between two servers on a real redis-server, in every
/// adapter mode: a local broadcast stays on its server; a volatile one crosses to the other server, whose sockets
/// take it only where their transport can take it now.</summary>
public sealed class EmitFlagsAcrossServersTests
{
    [Theory]
    [InlineData(RedisAdapterMode.Classic)]
    [InlineData(RedisAdapterMode.Sharded)]
    [InlineData(RedisAdapterMode.Streams)]
    public async Task ALocalBroadcastStaysOnItsServerAndAVolatileOneSkipsABusyTransportOnTheOther(RedisAdapterMode mode)
    {
        var key = $"gw-{Guid.NewGuid():N}";
        await using var first = await StartAsync(key, mode);
        await using var second = await StartAsync(key, mode);
        var options = new GatewayTestClientOptions { Namespace = "/flags" };
        await using var onFirst = await GatewayTestClient.ConnectAsync(new Uri(first.Url), options);
        await using var onSecond = await GatewayTestClient.ConnectAsync(new Uri(second.Url), options);
        using var http = new HttpClient { BaseAddress = new Uri(second.Url), Timeout = TimeSpan.FromSeconds(10) };
        var pollingSid = await ConnectPollingAsync(http);
        await WaitUntilClusteredAsync(onFirst, onSecond);

        await onFirst.EmitWithAckAsync<int>("local");
        await onFirst.EmitWithAckAsync<int>("volatile");

        // The first server's socket had both; the second's had the plain ones and, idle on its WebSocket, the tick.
        Assert.Equal(["local", "all"], await NewsAsync(onFirst, 2));
        Assert.Equal(["all", "after-tick"], await NewsAsync(onSecond, 2));
        // Never stored for recovery, so never stamped with an offset: the tick has its one argument only.
        Assert.Equal(1, (await onSecond.WaitForAsync("tick")).Count);
        // The sender's server delivers its own volatile broadcast once (in streams mode it also reads its own stream
        // entries back: that copy must not be delivered again). Its socket was idle, so it took the tick.
        await onFirst.WaitForAsync("news", args => args.Get<string>(0) == "after-tick");
        Assert.Single(onFirst.Events, e => e.Name == "tick");
        // The polling socket on the second server had no poll waiting: only the plain broadcasts are queued for it.
        var queued = await GetAsync(http, pollingSid);
        // (With recovery on, in streams mode, each stored event ends with its offset.)
        Assert.Contains("42/flags,[\"news\",\"all\"", queued);
        Assert.Contains("42/flags,[\"news\",\"after-tick\"", queued);
        Assert.DoesNotContain("[\"tick\"", queued);
    }

    private static async Task<string[]> NewsAsync(GatewayTestClient client, int count)
    {
        var news = new string[count];
        for (var i = 0; i < count; i++)
        {
            news[i] = (await client.WaitForAsync("news", args => args.Get<string>(0) != "ready")).Get<string>(0)!;
        }
        return news;
    }

    /// <summary>A server's subscriptions are ready a moment after it starts: broadcast until the other one hears.</summary>
    private static async Task WaitUntilClusteredAsync(GatewayTestClient onFirst, GatewayTestClient onSecond)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            await onFirst.EmitWithAckAsync<int>("ready");
            try
            {
                await onSecond.WaitForAsync("news", args => args.Get<string>(0) == "ready", TimeSpan.FromMilliseconds(200));
                return;
            }
            catch (TimeoutException)
            {
            }
        }
        throw new InvalidOperationException("The two servers never heard each other over Redis.");
    }

    private static async Task<string> ConnectPollingAsync(HttpClient http)
    {
        var open = await GetBodyAsync(http, "/socket.io/?EIO=4&transport=polling");
        using var json = JsonDocument.Parse(open[1..]);
        var sid = json.RootElement.GetProperty("sid").GetString()!;
        await PostAsync(http, sid, "40/flags,");
        Assert.StartsWith("40/flags,", await GetAsync(http, sid));
        return sid;
    }

    private static Task<TestGatewayServer> StartAsync(string key, RedisAdapterMode mode) =>
        TestGatewayServer.StartAsync(gateways =>
        {
            gateways.AddNamespace("/flags", ns =>
            {
                ns.On("ready", context => Reply(context, server => server.Emit("news", "ready")));
                ns.On("local", context => Reply(context, server =>
                {
                    server.Local.Emit("news", "local");
                    server.Emit("news", "all");
                }));
                ns.On("volatile", context => Reply(context, server =>
                {
                    server.Volatile.Emit("tick", 1);
                    server.Emit("news", "after-tick");
                }));
            });
            gateways.AddRedisAdapter(options =>
            {
                options.Configuration = RedisServer.Configuration;
                options.Key = key;
                options.Mode = mode;
                options.StreamName = key;
            });
        }, options => options.ConnectionStateRecovery.Enabled = mode == RedisAdapterMode.Streams);

    private static void Reply(GatewayEventContext context, Action<IGatewayServer> broadcast)
    {
        broadcast(context.Services.GetRequiredService<IGatewayBroadcaster>().Of("/flags").Server);
        context.Ack(1);
    }
}
