namespace Gateways;

/// <summary>Runs once the gateway's namespace exists and its <see cref="WebSocketServerAttribute"/> property is set
/// (NestJS's <c>OnGatewayInit.afterInit</c>).</summary>
public interface IOnGatewayInit
{
    /// <summary>Called once, at startup.</summary>
    /// <param name="server">The gateway's namespace.</param>
    void AfterInit(IGatewayServer server);
}

/// <summary>Runs when a socket has connected to the gateway's namespace (NestJS's <c>OnGatewayConnection</c>).</summary>
public interface IOnGatewayConnection
{
    /// <summary>Called for each socket that joined the namespace.</summary>
    /// <param name="client">The socket.</param>
    void HandleConnection(IGatewaySocket client);
}

/// <summary>The asynchronous form of <see cref="IOnGatewayConnection"/>.</summary>
public interface IOnGatewayConnectionAsync
{
    /// <summary>Called for each socket that joined the namespace.</summary>
    /// <param name="client">The socket.</param>
    ValueTask HandleConnectionAsync(IGatewaySocket client);
}

/// <summary>Runs when a socket has left the gateway's namespace (NestJS's <c>OnGatewayDisconnect</c>).</summary>
public interface IOnGatewayDisconnect
{
    /// <summary>Called for each socket that left the namespace.</summary>
    /// <param name="client">The socket, already out of its rooms.</param>
    void HandleDisconnect(IGatewaySocket client);
}

/// <summary>The asynchronous form of <see cref="IOnGatewayDisconnect"/>.</summary>
public interface IOnGatewayDisconnectAsync
{
    /// <summary>Called for each socket that left the namespace.</summary>
    /// <param name="client">The socket, already out of its rooms.</param>
    /// <param name="reason">Why, in socket.io's words (<c>transport close</c>, <c>client namespace disconnect</c>, …).</param>
    ValueTask HandleDisconnectAsync(IGatewaySocket client, string reason);
}
