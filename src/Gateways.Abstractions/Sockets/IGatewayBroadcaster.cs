namespace Gateways;

/// <summary>
/// Sends to connected clients from anywhere in an app — controllers, hosted services, event handlers (the seed's
/// <c>WebsocketBroadcastService</c>). Inject it; it targets the main namespace unless <see cref="Of"/> picks another.
/// With a cluster adapter the same calls reach sockets on every instance.
/// </summary>
public interface IGatewayBroadcaster
{
    /// <summary>The namespace this broadcaster targets.</summary>
    string Namespace { get; }

    /// <summary>Sends <paramref name="eventName"/> to every socket of user <paramref name="userId"/> (its user room).</summary>
    /// <param name="userId">The user id, as authentication set it.</param>
    /// <param name="eventName">The event name.</param>
    /// <param name="data">The event's argument.</param>
    void SendToUser(string userId, string eventName, object? data);

    /// <summary>Sends <paramref name="eventName"/> to every socket of the namespace.</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="data">The event's argument.</param>
    void Broadcast(string eventName, object? data);

    /// <summary>Targets the sockets of a room, for <c>Emit</c>, <c>Except</c> and the other operations.</summary>
    /// <param name="room">The room.</param>
    IBroadcastOperator ToRoom(string room);

    /// <summary>The namespace as a gateway's <c>[WebSocketServer]</c> sees it: everything else a service may need —
    /// fetching sockets, making them join rooms, server-side emits to the other instances.</summary>
    /// <exception cref="InvalidOperationException">The namespace is not declared on this server.</exception>
    IGatewayServer Server { get; }

    /// <summary>The same service for another namespace.</summary>
    /// <param name="namespace">The namespace, such as <c>/admin</c>.</param>
    IGatewayBroadcaster Of(string @namespace);
}
