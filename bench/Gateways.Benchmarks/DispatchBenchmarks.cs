using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Gateways.Dispatch;
using Gateways.Hosting;
using Gateways.SocketIO;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Benchmarks;

public sealed record SendMessageDto(string RoomId, string Text);

[WebSocketGateway]
public sealed class BenchGateway
{
    public int Calls;

    [SubscribeMessage("sendMessage")]
    public void SendMessage([MessageBody] SendMessageDto message, [ConnectedSocket] IGatewaySocket client) => Calls += message.Text.Length;

    [SubscribeMessage("ping")]
    public void Ping(IGatewaySocket client) => Calls++;

    [SubscribeMessage("echo")]
    public SendMessageDto Echo([MessageBody] SendMessageDto message) => message;

    /// <summary>bench/BenchServer's echo: every argument back in the ack.</summary>
    [SubscribeMessage("echo-args")]
    public void EchoArguments(GatewayEventContext context) => context.Ack(context.Arguments.ToArray());
}

/// <summary>
/// The generated dispatch: event name → handler → parameters bound from the packet's JSON → gateway method, as the
/// runtime calls it, minus the socket I/O. The body allocation (the DTO and its strings) is the floor.
/// </summary>
[MemoryDiagnoser]
public class DispatchBenchmarks
{
    private readonly Dictionary<string, GatewayEventHandler> _handlers = new(StringComparer.Ordinal);
    private BenchContext _sendMessage = null!;
    private BenchContext _ping = null!;
    private BenchContext _echo = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddSingleton<BenchGateway>();
        var provider = services.BuildServiceProvider();
        var json = new GatewaysJsonOptions().SerializerOptions;
        GatewayRegistry.TryGet(typeof(BenchGateway), out var descriptor);
        var dispatcher = descriptor!.CreateDispatcher(new GatewayBindingContext(provider, json));
        dispatcher.AddHandlers(new Registry(_handlers));
        _sendMessage = BenchContext.For("""["sendMessage",{"roomId":"r1","text":"hello world"}]""", json, provider);
        _ping = BenchContext.For("""["ping"]""", json, provider);
        _echo = BenchContext.For("""["echo",{"roomId":"r1","text":"hello world"}]""", json, provider);
    }

    [Benchmark(Baseline = true, Description = "dispatch, no body")]
    public ValueTask Ping() => _handlers[_ping.EventName](_ping);

    [Benchmark(Description = "dispatch + bind [MessageBody] DTO")]
    public ValueTask SendMessage() => _handlers[_sendMessage.EventName](_sendMessage);

    [Benchmark(Description = "dispatch + bind + result as ack")]
    public ValueTask Echo() => _handlers[_echo.EventName](_echo);

    private sealed class Registry(Dictionary<string, GatewayEventHandler> handlers) : IGatewayHandlerRegistry
    {
        public string Name => "/";

        public void AddEventHandler(string eventName, GatewayEventHandler handler, GatewayHandlerMetadata? metadata) =>
            handlers[eventName] = handler;

        public void SetUnhandledHandler(GatewayEventHandler handler, GatewayHandlerMetadata? metadata)
        {
        }

        public void AddAnyListener(GatewayEventHandler listener)
        {
        }

        public void AddOutgoingListener(GatewayEventHandler listener)
        {
        }

        public void AddConnectionHandler(Func<IGatewaySocket, ValueTask> handler)
        {
        }

        public void AddDisconnectingHandler(Action<IGatewaySocket, string> handler)
        {
        }

        public void AddDisconnectHandler(Func<IGatewaySocket, string, ValueTask> handler)
        {
        }

        public void AddSessionExpiredHandler(Func<ExpiredSession, ValueTask> handler)
        {
        }
    }
}

/// <summary>An event as the runtime hands it to a handler; the ack is counted, not sent.</summary>
internal sealed class BenchContext(string eventName, EventArguments arguments, IServiceProvider services) : GatewayEventContext
{
    public int Acks;

    public static BenchContext For(string payload, JsonSerializerOptions json, IServiceProvider services)
    {
        SocketIOPacketParser.TryParse(System.Text.Encoding.UTF8.GetBytes("2" + payload), new NamespaceNameTable(), out var packet, out _);
        var arguments = SocketIOPayloadReader.Bind(packet.Payload, packet.Layout, [], json);
        return new BenchContext(packet.Layout.EventName!, arguments, services);
    }

    public override IGatewaySocket Socket => null!;

    public override string EventName => eventName;

    public override EventArguments Arguments => arguments;

    public override bool HasAck => true;

    public override bool Acknowledged => false;

    public override IServiceProvider Services => services;

    public override bool Ack(params object?[] args)
    {
        Acks++;
        return true;
    }
}
