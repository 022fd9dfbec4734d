using System.Diagnostics;
using Gateways.Adapters.Redis;
using Gateways.Hosting;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Observability;

/// <summary>One trace across the cluster: the handler's span on one server, its broadcast, and that broadcast's
/// delivery on another server over a real redis-server, whose span is a child of the broadcast's.</summary>
public sealed partial class TracingTests
{
    [Theory]
    [InlineData(RedisAdapterMode.Classic)]
    [InlineData(RedisAdapterMode.Sharded)]
    [InlineData(RedisAdapterMode.Streams)]
    public async Task ABroadcastsDeliveryOnAnotherServerIsAChildOfTheHandlersSpan(RedisAdapterMode mode)
    {
        var key = $"gw-{Guid.NewGuid():N}";
        await using var first = await StartAsync(key, mode);
        await using var second = await StartAsync(key, mode);
        var options = new GatewayTestClientOptions { Namespace = "/trace" };
        await using var sender = await GatewayTestClient.ConnectAsync(new Uri(first.Url), options);
        await using var receiver = await GatewayTestClient.ConnectAsync(new Uri(second.Url), options);

        // Until the second server's subscription is up, the broadcast reaches nobody there: send until it does.
        for (var attempt = 0; ; attempt++)
        {
            await sender.EmitWithAckAsync<int>("announce", attempt);
            try
            {
                await receiver.WaitForAsync("announcement", args => args.Get<int>(0) == attempt, TimeSpan.FromMilliseconds(300));
                break;
            }
            catch (TimeoutException) when (attempt < 30)
            {
            }
        }

        var handler = await SpanAsync(a => a.DisplayName == "/trace announce" && Equals(a.GetTagItem("gateways.socket.id"), sender.Id)
            && a.ParentSpanId == default && _stopped.Any(r => r.DisplayName == "/trace receive" && r.TraceId == a.TraceId));
        var broadcast = await SpanAsync(a => a.DisplayName == "/trace broadcast" && a.ParentSpanId == handler.SpanId);
        var delivery = await SpanAsync(a => a.DisplayName == "/trace receive" && a.TraceId == handler.TraceId);
        Assert.Equal(ActivityKind.Consumer, delivery.Kind);
        Assert.Equal(broadcast.SpanId, delivery.ParentSpanId);
        Assert.Equal(handler.TraceId, broadcast.TraceId);
    }

    private async Task<Activity> SpanAsync(Func<Activity, bool> match)
    {
        for (var i = 0; i < 100; i++)
        {
            if (_stopped.FirstOrDefault(match) is { } found)
            {
                return found;
            }
            await Task.Delay(20);
        }
        throw new InvalidOperationException("No such span: " + string.Join(", ", _stopped.Select(a => a.DisplayName).Distinct()));
    }

    private static Task<TestGatewayServer> StartAsync(string key, RedisAdapterMode mode) =>
        TestGatewayServer.StartAsync(gateways =>
        {
            gateways.AddNamespace("/trace", ns => ns.On("announce", context =>
            {
                context.Services.GetRequiredService<IGatewayBroadcaster>().Of("/trace").Server
                    .Emit("announcement", context.Arguments.Get<int>(0));
                context.Ack(1);
            }));
            gateways.AddRedisAdapter(options =>
            {
                options.Configuration = RedisServer.Configuration;
                options.Key = key;
                options.Mode = mode;
                options.StreamName = key;
            });
        });
}

/// <summary>A client traces its own event: the W3C envelope as the last argument, when the app accepts it.</summary>
public sealed partial class TracingTests
{
    private const string ClientTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string ClientSpanId = "00f067aa0ba902b7";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AClientsTraceContextBecomesTheEventsParentOnlyWhenTheAppAcceptsIt(bool accept)
    {
        await using var server = await TestGatewayServer.StartAsync(
            gateways => gateways.AddNamespace("/tp", ns => ns.On("count", context => context.Ack(context.Arguments.Count))),
            options => options.AcceptClientTraceContext = accept);
        await using var client = await GatewayTestClient.ConnectAsync(new Uri(server.Url),
            new GatewayTestClientOptions { Namespace = "/tp" });

        var count = await client.EmitWithAckAsync<int>("count", "payload",
            new Dictionary<string, string> { ["traceparent"] = $"00-{ClientTraceId}-{ClientSpanId}-01" });

        var span = await SpanAsync(a => a.DisplayName == "/tp count" && Equals(a.GetTagItem("gateways.socket.id"), client.Id));
        if (accept)
        {
            Assert.Equal(1, count); // the envelope is not the handler's
            Assert.Equal(ClientTraceId, span.TraceId.ToHexString());
            Assert.Equal(ClientSpanId, span.ParentSpanId.ToHexString());
        }
        else
        {
            Assert.Equal(2, count);
            Assert.NotEqual(ClientTraceId, span.TraceId.ToHexString());
            Assert.Equal(default, span.ParentSpanId);
        }
    }
}
