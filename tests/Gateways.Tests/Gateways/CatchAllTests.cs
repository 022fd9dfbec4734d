using System.Collections.Concurrent;
using Gateways.Hosting;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateways.Tests.Gateways;

/// <summary>socket.io's <c>onAny</c> and a fallback for events no handler takes, as gateway attributes.</summary>
[WebSocketGateway("/catchall")]
public sealed class CatchAllGateway
{
    public ConcurrentQueue<string> Seen { get; } = new();

    [SubscribeMessage("known")]
    public string Known() => "known";

    [UnhandledMessage]
    public string Unknown([MessageName] string name, GatewayEventContext context) => $"unknown {name} with {context.Arguments.Count}";

    [OnAnyMessage]
    public void Record([MessageName] string name) => Seen.Enqueue(name);

    public ConcurrentQueue<string> Sent { get; } = new();

    [OnAnyOutgoing]
    public void RecordSent(IGatewaySocket to, [MessageName] string name, GatewayEventContext context) =>
        Sent.Enqueue($"{name}({context.Arguments.Count}) to {to.Id}");

    [SubscribeMessage("greet")]
    public void Greet(IGatewaySocket client) => client.Emit("hello", "you", 2);

    [OnAnyMessage]
    public void FailOnBoom([MessageName] string name)
    {
        if (name == "boom")
        {
            throw new InvalidOperationException("a listener that fails");
        }
    }
}

public sealed class CatchAllTests
{
    [Fact]
    public async Task ListenersSeeEveryEventAndTheFallbackAnswersWhatNoHandlerTakes()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddGateway<CatchAllGateway>());
        await using var client = await GatewayTestClient.ConnectAsync(new Uri(server.Url),
            new GatewayTestClientOptions { Namespace = "/catchall" });

        Assert.Equal("known", await client.EmitWithAckAsync<string>("known"));
        Assert.Equal("unknown mystery with 2", await client.EmitWithAckAsync<string>("mystery", 1, "two"));
        // A listener that throws is logged; the event's handler (here the fallback) still answers.
        Assert.Equal("unknown boom with 0", await client.EmitWithAckAsync<string>("boom"));

        Assert.Equal(["known", "mystery", "boom"], server.Services.GetRequiredService<CatchAllGateway>().Seen);
        // The outgoing listener: the emit, with its recipient and arguments; acknowledgements are not events.
        await client.EmitAsync("greet");
        await client.WaitForAsync("hello");
        Assert.Equal([$"hello(2) to {client.Id}"], server.Services.GetRequiredService<CatchAllGateway>().Sent);
        Assert.True(server.Logs.Contains(LogLevel.Error, "An onAny listener failed on event 'boom'"));
    }

    [Fact]
    public async Task TheBuilderFormsDoTheSame()
    {
        var seen = new ConcurrentQueue<string>();
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddNamespace("/built", ns => ns
            .OnAny(context => seen.Enqueue(context.EventName))
            .OnUnhandled(context =>
            {
                context.Ack("fallback " + context.EventName);
                return ValueTask.CompletedTask;
            })));
        await using var client = await GatewayTestClient.ConnectAsync(new Uri(server.Url),
            new GatewayTestClientOptions { Namespace = "/built" });

        Assert.Equal("fallback anything", await client.EmitWithAckAsync<string>("anything"));
        Assert.Equal(["anything"], seen);
    }

    [Fact]
    public async Task OutgoingListenersSeeEveryEventSentButNotAcknowledgements()
    {
        var sent = new ConcurrentQueue<string>();
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddNamespace("/out", ns => ns
            .OnAnyOutgoing((socket, eventName, args) => sent.Enqueue($"{eventName}({args.GetJson(0).GetRawText()})"))
            .On("greet", context =>
            {
                context.Socket.Emit("hello", "you");
                context.Socket.Join("room");
                context.Services.GetRequiredService<IGatewayBroadcaster>().Of("/out").ToRoom("room").Emit("news", 1);
                context.Ack("done");
            })));
        await using var client = await GatewayTestClient.ConnectAsync(new Uri(server.Url),
            new GatewayTestClientOptions { Namespace = "/out" });

        Assert.Equal("done", await client.EmitWithAckAsync<string>("greet"));
        await client.WaitForAsync("news");

        Assert.Equal(["hello(\"you\")", "news(1)"], sent);
    }
}
