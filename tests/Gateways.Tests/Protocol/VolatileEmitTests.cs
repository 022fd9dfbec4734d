using System.Net;
using System.Text;
using System.Text.Json;
using Gateways.Hosting;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using static Gateways.Tests.Infrastructure.RawPolling;

namespace Gateways.Tests.Protocol;

/// <summary>
/// Volatile emits (socket.io's <c>volatile</c> flag) are sent only when the transport can take them now and are
/// otherwise dropped, never queued. A polling client with no poll waiting is the transport that cannot: engine.io's
/// polling transport is writable only while a GET waits, and so is ours.
/// </summary>
public sealed class VolatileEmitTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AVolatileEmitIsDroppedWhenNoPollWaitsAndAQueuedOneIsNot()
    {
        await using var server = await StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = Timeout };
        var sid = await ConnectPollingAsync(http);

        // The handler runs while no GET waits: its three volatile ticks are dropped, the plain emit is queued.
        await PostAsync(http, sid, "42/vol,1[\"burst\"]");

        var packets = (await GetAsync(http, sid)).Split('\u001e');
        Assert.Equal(["42/vol,[\"tock\"]", "43/vol,1[0]"], packets);
    }

    [Fact]
    public async Task AVolatileEmitReachesAPollThatWaits()
    {
        await using var server = await StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = Timeout };
        var sid = await ConnectPollingAsync(http);
        var poll = GetAsync(http, sid);

        // The handler retries until the GET is waiting on the server, then the tick goes straight to it.
        await PostAsync(http, sid, "42/vol,2[\"tickWhenWritable\"]");

        Assert.Equal("42/vol,[\"tick\"]", await poll);
    }

    [Fact]
    public async Task AVolatileBroadcastReachesAnIdleWebSocketAndSkipsAPollingClientWithNoPollWaiting()
    {
        await using var server = await StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = Timeout };
        var sid = await ConnectPollingAsync(http);
        await PostAsync(http, sid, "42/vol,3[\"join\"]");
        Assert.Equal("43/vol,3[\"room\"]", await GetAsync(http, sid));
        await using var sender = await GatewayTestClient.ConnectAsync(new Uri(server.Url),
            new GatewayTestClientOptions { Namespace = "/vol" });
        await using var listener = await GatewayTestClient.ConnectAsync(new Uri(server.Url),
            new GatewayTestClientOptions { Namespace = "/vol" });
        await listener.EmitWithAckAsync<string>("join");

        await sender.EmitWithAckAsync<int>("price");

        Assert.Equal(42, (await listener.WaitForAsync("price")).Get<int>(0));
        // The polling client gets the marker the handler emitted after the volatile price, and nothing before it.
        Assert.Equal("42/vol,[\"marker\"]", await GetAsync(http, sid));
    }

    private static Task<TestGatewayServer> StartAsync() =>
        TestGatewayServer.StartAsync(gateways => gateways.AddNamespace("/vol", ns =>
        {
            ns.On("burst", context =>
            {
                var sent = 0;
                for (var i = 0; i < 3; i++)
                {
                    sent += context.Socket.EmitVolatile("tick") ? 1 : 0;
                }
                context.Socket.Emit("tock");
                context.Ack(sent);
            });
            ns.On("tickWhenWritable", async context =>
            {
                for (var attempt = 0; attempt < 500 && !context.Socket.EmitVolatile("tick"); attempt++)
                {
                    await Task.Delay(10);
                }
            });
            ns.On("join", context =>
            {
                context.Socket.Join("room");
                context.Ack("room");
            });
            ns.On("price", context =>
            {
                var room = context.Socket.To("room");
                room.Volatile.Emit("price", 42);
                room.Emit("marker");
                context.Ack(1);
            });
        }));

    private static async Task<string> ConnectPollingAsync(HttpClient http)
    {
        var open = await GetBodyAsync(http, "/socket.io/?EIO=4&transport=polling");
        using var json = JsonDocument.Parse(open[1..]);
        var sid = json.RootElement.GetProperty("sid").GetString()!;
        await PostAsync(http, sid, "40/vol,");
        Assert.StartsWith("40/vol,", await GetAsync(http, sid));
        return sid;
    }
}
