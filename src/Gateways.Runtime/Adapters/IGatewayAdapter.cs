using Gateways.SocketIO;

namespace Gateways.Adapters;

/// <summary>
/// Keeps the rooms of one namespace and delivers broadcasts: the swap point between a single server (the in-memory
/// adapter) and a cluster (a Redis adapter forwards to the other servers, then delivers locally).
/// </summary>
public interface IGatewayAdapter
{
    /// <summary>Adds a socket to rooms.</summary>
    /// <param name="socketId">The socket id.</param>
    /// <param name="rooms">The rooms.</param>
    void AddAll(string socketId, IEnumerable<string> rooms);

    /// <summary>Removes a socket from a room.</summary>
    /// <param name="socketId">The socket id.</param>
    /// <param name="room">The room.</param>
    void Delete(string socketId, string room);

    /// <summary>Removes a socket from every room.</summary>
    /// <param name="socketId">The socket id.</param>
    void DeleteAll(string socketId);

    /// <summary>The rooms a local socket is in.</summary>
    /// <param name="socketId">The socket id.</param>
    IReadOnlyCollection<string> SocketRooms(string socketId);

    /// <summary>Every room that has at least one socket.</summary>
    Task<IReadOnlyCollection<string>> AllRoomsAsync();

    /// <summary>Sends a packet to every target. The packet is encoded on first use, once for every target (and for
    /// other servers); with no target anywhere it is never encoded. A packet of this server that no client could
    /// receive throws <see cref="OutgoingMessageTooLargeException"/>; a relayed one is dropped and logged.</summary>
    /// <param name="packet">The packet model.</param>
    /// <param name="options">The targets.</param>
    void Broadcast(OutgoingPacket packet, BroadcastOptions options);

    /// <summary>Sends an event with an acknowledgement id to every target and collects the answers.</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="args">The event arguments.</param>
    /// <param name="options">The targets.</param>
    /// <param name="timeout">How long to wait for every answer.</param>
    /// <exception cref="TimeoutException">Some target did not answer in time.</exception>
    Task<IReadOnlyList<EventArguments>> BroadcastWithAckAsync(string eventName, object?[] args, BroadcastOptions options,
        TimeSpan timeout);

    /// <summary>The target sockets.</summary>
    /// <param name="options">The targets.</param>
    Task<IReadOnlyList<IGatewaySocket>> FetchSocketsAsync(BroadcastOptions options);

    /// <summary>Makes the targets join rooms.</summary>
    /// <param name="options">The targets.</param>
    /// <param name="rooms">The rooms to join.</param>
    void AddSockets(BroadcastOptions options, IReadOnlyCollection<string> rooms);

    /// <summary>Makes the targets leave rooms.</summary>
    /// <param name="options">The targets.</param>
    /// <param name="rooms">The rooms to leave.</param>
    void DelSockets(BroadcastOptions options, IReadOnlyCollection<string> rooms);

    /// <summary>Disconnects the targets.</summary>
    /// <param name="options">The targets.</param>
    /// <param name="close">Also close their connections.</param>
    void DisconnectSockets(BroadcastOptions options, bool close);

    /// <summary>Sends an event to the other servers of the cluster (not to clients).</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="args">The event arguments.</param>
    void ServerSideEmit(string eventName, object?[] args);

    /// <summary>Sends an event to the other servers of the cluster and collects one answer per server.</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="args">The event arguments.</param>
    /// <param name="timeout">How long to wait for every server.</param>
    /// <exception cref="TimeoutException">Some server did not answer in time.</exception>
    Task<IReadOnlyList<EventArguments>> ServerSideEmitWithAckAsync(string eventName, object?[] args, TimeSpan timeout);
}

/// <summary>Creates the adapter of each namespace.</summary>
public interface IGatewayAdapterFactory
{
    /// <summary>Creates the adapter of one namespace.</summary>
    /// <param name="context">The namespace, as the runtime shows it to adapters: its local sockets and settings.</param>
    IGatewayAdapter Create(IGatewayAdapterContext context);
}
