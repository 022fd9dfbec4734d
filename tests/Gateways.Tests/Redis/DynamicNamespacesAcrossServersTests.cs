using Gateways.Adapters.Redis;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Redis;

/// <summary>A dynamic namespace's children on two servers sharing a real redis-server: each child has its own adapter,
/// so a broadcast in <c>/tenant-1</c> reaches that tenant's sockets on the other server and no other tenant.</summary>
public sealed class DynamicNamespacesAcrossServersTests
{
    [Theory]
    [InlineData(RedisAdapterMode.Classic)]
    [InlineData(RedisAdapterMode.Sharded)]
    [InlineData(RedisAdapterMode.Streams)]
    public async Task AChildsBroadcastReachesTheSameChildOnTheOtherServerOnly(RedisAdapterMode mode)
    {
        var key = $"gw-{Guid.NewGuid():N}";
        await using var first = await StartAsync(key, mode);
        await using var second = await StartAsync(key, mode);
        await using var tenantOneHere = await ConnectAsync(first, "/tenant-1");
        await using var tenantOneThere = await ConnectAsync(second, "/tenant-1");
        await using var tenantTwoThere = await ConnectAsync(second, "/tenant-2");

        // A server's subscriptions are ready a moment after its child exists: say it until the other server hears.
        for (var attempt = 0; ; attempt++)
        {
            await tenantOneHere.EmitWithAckAsync<int>("say", "ready");
            try
            {
                await tenantOneThere.WaitForAsync("said", args => args.Get<string>(0) == "ready", TimeSpan.FromMilliseconds(200));
                break;
            }
            catch (TimeoutException) when (attempt < 50)
            {
            }
        }
        await tenantOneHere.EmitWithAckAsync<int>("say", "hello tenant 1");
        await tenantTwoThere.EmitWithAckAsync<int>("say", "hello tenant 2");

        await tenantOneThere.WaitForAsync("said", args => args.Get<string>(0) == "hello tenant 1");
        await tenantOneHere.WaitForAsync("said", args => args.Get<string>(0) == "hello tenant 1");
        await tenantTwoThere.WaitForAsync("said", args => args.Get<string>(0) == "hello tenant 2");
        // Nothing crossed between tenants, on either server.
        Assert.DoesNotContain(tenantTwoThere.Events, e => e.Name == "said" && e.Arguments.Get<string>(0) != "hello tenant 2");
        Assert.DoesNotContain(tenantOneThere.Events, e => e.Name == "said" && e.Arguments.Get<string>(0) == "hello tenant 2");
        Assert.DoesNotContain(tenantOneHere.Events, e => e.Name == "said" && e.Arguments.Get<string>(0) == "hello tenant 2");
    }

    private static Task<GatewayTestClient> ConnectAsync(TestGatewayServer server, string @namespace) =>
        GatewayTestClient.ConnectAsync(new Uri(server.Url), new GatewayTestClientOptions { Namespace = @namespace });

    private static Task<TestGatewayServer> StartAsync(string key, RedisAdapterMode mode) =>
        TestGatewayServer.StartAsync(gateways =>
        {
            gateways.AddNamespace("/tenant-{id}", ns => ns.On("say", context =>
            {
                // The sender's own child, by its name: on every server of the cluster.
                context.Services.GetRequiredService<IGatewayBroadcaster>().Of(context.Socket.Namespace)
                    .Broadcast("said", context.Arguments.Get<string>(0));
                context.Ack(1);
                return ValueTask.CompletedTask;
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
