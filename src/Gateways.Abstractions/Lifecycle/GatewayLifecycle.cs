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

/// <summary>Runs when a socket is about to leave the gateway's namespace, while it is still in its rooms (socket.io's
/// <c>disconnecting</c> event): the place to tell each of its rooms that it is leaving.</summary>
public interface IOnGatewayDisconnecting
{
    /// <summary>Called once for each socket that is leaving, before it leaves its rooms and before
    /// <see cref="IOnGatewayDisconnect"/>. It is synchronous, as socket.io's event is: the socket leaves its rooms
    /// when it returns.</summary>
    /// <param name="client">The socket, still in its rooms (<see cref="IGatewaySocket.Rooms"/>).</param>
    /// <param name="reason">Why, in socket.io's words (<c>transport close</c>, <c>client namespace disconnect</c>, …).</param>
    void HandleDisconnecting(IGatewaySocket client, string reason);
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

/// <summary>Runs when a lost socket's session expires without its client coming back (connection state recovery is
/// on and its window has passed): the moment to treat the user as gone. Once per session.</summary>
public interface IOnSessionExpired
{
    /// <summary>Called for each session that expired.</summary>
    /// <param name="session">The socket as it was when its connection was lost.</param>
    ValueTask HandleSessionExpiredAsync(ExpiredSession session);
}

/// <summary>A lost socket whose client did not come back in time (connection state recovery).</summary>
/// <param name="Namespace">The namespace.</param>
/// <param name="SocketId">The socket's id.</param>
/// <param name="UserId">Its user, when it had one.</param>
/// <param name="Rooms">The rooms it was in, its own included.</param>
/// <param name="Items">Its items (socket.io's <c>socket.data</c>).</param>
/// <param name="DisconnectedAt">When its connection was lost.</param>
public sealed record ExpiredSession(string Namespace, string SocketId, string? UserId, IReadOnlyList<string> Rooms,
    IReadOnlyDictionary<string, object?> Items, DateTimeOffset DisconnectedAt);
