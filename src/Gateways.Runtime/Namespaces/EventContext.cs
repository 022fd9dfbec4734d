using Gateways.SocketIO;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Namespaces;

/// <summary>One received event. The DI scope is created on first use of <see cref="Services"/> and disposed when
/// the handler ends.</summary>
internal sealed class EventContext(IServiceProvider rootServices, GatewaySocket socket, string eventName,
    EventArguments arguments, long ackId, Dispatch.GatewayHandlerMetadata? handler = null) : GatewayEventContext, IAsyncDisposable
{
    public override Dispatch.GatewayHandlerMetadata? Handler => handler;

    private AsyncServiceScope? _scope;
    private int _acknowledged;

    public override IGatewaySocket Socket => socket;

    public override string EventName => eventName;

    public override EventArguments Arguments => arguments;

    public override bool HasAck => ackId >= 0;

    public override bool Acknowledged => Volatile.Read(ref _acknowledged) == 1;

    public override IServiceProvider Services => (_scope ??= rootServices.CreateAsyncScope()).ServiceProvider;

    public override bool Ack(params object?[] args)
    {
        if (ackId < 0 || Interlocked.Exchange(ref _acknowledged, 1) == 1)
        {
            return false;
        }
        var gatewaySocket = socket;
        return gatewaySocket.Send(SocketIOPacketWriter.WriteAck(gatewaySocket.Namespace, ackId, args,
            gatewaySocket.GatewayNamespace.SerializerOptions));
    }

    public ValueTask DisposeAsync() => _scope?.DisposeAsync() ?? ValueTask.CompletedTask;
}
