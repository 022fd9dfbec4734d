using Gateways;

namespace ProtocolServer;

/// <summary>The main namespace as the socket.io suite expects it: <c>auth</c> on connect, <c>message</c> echoed as
/// <c>message-back</c>, <c>message-with-ack</c> acknowledged with its own arguments (binary ones included).</summary>
[WebSocketGateway]
public sealed class ProtocolGateway : IOnGatewayConnection
{
    public void HandleConnection(IGatewaySocket client) => client.Emit("auth", client.Handshake.Auth);

    [SubscribeMessage("message")]
    public void Message(GatewayEventContext context) =>
        context.Socket.Emit("message-back", context.Arguments.ToArray());

    [SubscribeMessage("message-with-ack")]
    public void MessageWithAck(GatewayEventContext context) => context.Ack(context.Arguments.ToArray());
}

/// <summary>The <c>/custom</c> namespace of the suite: only the <c>auth</c> event on connect.</summary>
[WebSocketGateway("/custom")]
public sealed class CustomNamespaceGateway : IOnGatewayConnection
{
    public void HandleConnection(IGatewaySocket client) => client.Emit("auth", client.Handshake.Auth);
}
