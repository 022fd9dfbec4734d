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
