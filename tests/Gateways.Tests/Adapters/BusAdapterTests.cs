using Gateways.BusAdapter;
using Gateways.Hosting;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateways.Tests.Adapters;

/// <summary>
/// Two Kestrel servers made one by <see cref="BusGatewayAdapter"/>, an adapter built against the runtime's public API
/// alone (its project has no InternalsVisibleTo): what a third-party Postgres or NATS adapter can do with
/// <see cref="Gateways.Adapters.IGatewayAdapterContext"/>.
/// </summary>
public sealed class BusAdapterTests : IAsyncLifetime
{
    private readonly InProcessBus _bus = new();
    private TestGatewayServer _a = null!;
    private TestGatewayServer _b = null!;

    public async Task InitializeAsync()
    {
        _a = await StartAsync();
        _b = await StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    private Task<TestGatewayServer> StartAsync() => TestGatewayServer.StartAsync(gateways =>
    {
        gateways.Services.AddSingleton(_bus);
        gateways.AddAdapter<BusGatewayAdapterFactory>();
    });

    private static IGatewayBroadcaster Broadcaster(TestGatewayServer server) => server.Services.GetRequiredService<IGatewayBroadcaster>();

    [Fact]
    public async Task ARoomBroadcastOnOneServerReachesTheRoomOnTheOtherAndNobodyElse()
    {
        await using var member = await GatewayTestClient.ConnectAsync(new Uri(_a.Url));
        await using var outsiderA = await GatewayTestClient.ConnectAsync(new Uri(_a.Url));
        await using var outsiderB = await GatewayTestClient.ConnectAsync(new Uri(_b.Url));
        // Joined through B: B has no such socket and publishes the join; A runs it.
        Broadcaster(_b).Server.To(member.Id).SocketsJoin("news");
        Broadcaster(_b).ToRoom("news").Emit("headline", new { title = "adapters on an interface" });
        Broadcaster(_b).ToRoom("news").Emit("blob", new byte[] { 1, 2, 3 });
        Broadcaster(_b).Broadcast("marker", "after");

        var headline = await member.WaitForAsync("headline");
        Assert.Equal("adapters on an interface", headline.GetJson(0).GetProperty("title").GetString());
        var blob = await member.WaitForAsync("blob");
        Assert.True(blob.IsBinary(0));
        Assert.Equal(new byte[] { 1, 2, 3 }, blob.GetBinary(0).ToArray());
        foreach (var outsider in new[] { outsiderA, outsiderB })
        {
            // Everyone gets the marker, sent after the room's events on the same ordered bus.
            Assert.Equal("after", await outsider.WaitForAsync<string>("marker"));
            Assert.DoesNotContain(outsider.Events, e => e.Name is "headline" or "blob");
        }
    }

    [Fact]
    public async Task ABroadcastExceptARoomSkipsItsMembersOnEveryServer()
    {
        await using var quiet = await GatewayTestClient.ConnectAsync(new Uri(_a.Url));
        await using var loud = await GatewayTestClient.ConnectAsync(new Uri(_b.Url));
        Broadcaster(_a).Server.To(quiet.Id).SocketsJoin("muted");
        Broadcaster(_a).Server.Except("muted").Emit("ping", 1);
        Broadcaster(_a).Broadcast("marker", "after");

        Assert.Equal(1, await loud.WaitForAsync<int>("ping"));
        Assert.Equal("after", await quiet.WaitForAsync<string>("marker"));
        Assert.DoesNotContain(quiet.Events, e => e.Name == "ping");
    }

    [Fact]
    public async Task AServerSideEmitReachesTheOtherServersListenersWithItsArguments()
    {
        var heard = new TaskCompletionSource<(string Text, int Number)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = Broadcaster(_b).Server.OnServerSideEmit("cache:invalidate", args =>
        {
            heard.TrySetResult((args.Get<string>(0)!, args.Get<int>(1)));
            return ValueTask.FromResult<object?>(null);
        });

        Broadcaster(_a).Server.ServerSideEmit("cache:invalidate", "user:42", 7);

        Assert.Equal(("user:42", 7), await heard.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ASocketOnTheOtherServerCanBeDisconnected()
    {
        await using var client = await GatewayTestClient.ConnectAsync(new Uri(_a.Url));

        Broadcaster(_b).Server.To(client.Id).DisconnectSockets(close: true);

        Assert.True(await client.WaitForDisconnectAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task AMalformedBusMessageIsLoggedAndHarmsNothing()
    {
        await using var client = await GatewayTestClient.ConnectAsync(new Uri(_a.Url));

        _bus.Publish("{\"from\":\"elsewhere\",\"nsp\":\"/\",\"kind\":\"broadcast\""u8.ToArray());
        _bus.Publish("{\"from\":\"elsewhere\",\"nsp\":\"/\",\"kind\":\"broadcast\",\"rooms\":[],\"except\":[],\"type\":2,\"ackId\":-1,\"data\":{},\"attachments\":[]}"u8.ToArray());
        Broadcaster(_b).Broadcast("still", "working");

        Assert.Equal("working", await client.WaitForAsync<string>("still"));
        Assert.True(await _a.Logs.WaitForAsync(LogLevel.Warning, "dropped a malformed message", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task AStoppedServersAdaptersAreDisposedAndLeaveTheBus()
    {
        var both = _bus.SubscriberCount;
        Assert.True(both >= 2, $"each server subscribes at least its main namespace, saw {both}");

        await _a.DisposeAsync();
        _a = await StartAsync(); // DisposeAsync of the test stops this one

        Assert.Equal(both, _bus.SubscriberCount);
        await _a.DisposeAsync();
        Assert.Equal(both / 2, _bus.SubscriberCount);
        _a = await StartAsync();
    }

    [Fact]
    public void AContainerDisposedSynchronouslyDisposesTheAdaptersToo()
    {
        var bus = new InProcessBus();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        services.AddSingleton(bus);
        services.AddGateways().AddAdapter<BusGatewayAdapterFactory>();
        var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<IGatewayBroadcaster>().Server; // builds the namespaces and their adapters
        Assert.Equal(1, bus.SubscriberCount);

        provider.Dispose(); // as a console app or a test does: no "only implements IAsyncDisposable"

        Assert.Equal(0, bus.SubscriberCount);
    }
}
