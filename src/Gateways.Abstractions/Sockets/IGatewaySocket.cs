using System.Security.Claims;

namespace Gateways;

/// <summary>
/// One client connected to one namespace: the server-side half of a socket.io-client <c>Socket</c>.
/// </summary>
/// <remarks>
/// A client that connects to several namespaces over one connection has one <see cref="IGatewaySocket"/> per
/// namespace. Every socket is in the room named by its own <see cref="Id"/>.
/// </remarks>
public interface IGatewaySocket : IGatewayEmitter
{
    /// <summary>The socket id sent to the client in the CONNECT answer; unique per namespace connection.</summary>
    string Id { get; }

    /// <summary>The name of the namespace this socket is connected to, such as <c>/</c> or <c>/chat</c>; for a
    /// dynamic namespace, the child's own name (<c>/tenant-42</c>), not its pattern.</summary>
    string Namespace { get; }

    /// <summary>The values a dynamic namespace's pattern took from <see cref="Namespace"/>: <c>{"id": "42"}</c> for a
    /// socket of <c>/tenant-42</c> under the template <c>/tenant-{id}</c> (or a regular expression's named groups).
    /// Empty for a namespace declared by its exact name.</summary>
    IReadOnlyDictionary<string, string> NamespaceValues => NoNamespaceValues;

    // A namespace declared by its exact name has none.
    private static readonly IReadOnlyDictionary<string, string> NoNamespaceValues =
        new Dictionary<string, string>(StringComparer.Ordinal).AsReadOnly();

    /// <summary>The data of the request that opened the connection, and the auth payload of the CONNECT packet.</summary>
    Handshake Handshake { get; }

    /// <summary>The authenticated user, when an authentication middleware attached one; otherwise <see langword="null"/>.</summary>
    ClaimsPrincipal? User { get; set; }

    /// <summary>The authenticated user's id (from the <c>sub</c> claim, else <c>id</c>), set by authentication; the
    /// socket joins the room of that name when it connects, so <c>To(userId)</c> reaches all of a user's sockets.</summary>
    string? UserId { get; set; }

    /// <summary>The rooms the socket is in, its own id included.</summary>
    IReadOnlyCollection<string> Rooms { get; }

    /// <summary>Whether the socket is still connected to its namespace.</summary>
    bool Connected { get; }

    /// <summary>Whether this socket is one whose connection was lost and that its client took back (connection state
    /// recovery): it kept its id, rooms, items and user, and got the events it missed. Use it to skip what a fresh
    /// socket needs (joining rooms, sending a first state).</summary>
    bool Recovered => false;

    /// <summary>Cancelled when the socket disconnects, for whatever reason.</summary>
    CancellationToken Disconnected { get; }

    /// <summary>Per-socket storage for application data (socket.io's <c>socket.data</c>).</summary>
    IDictionary<string, object?> Items { get; }

    /// <summary>Adds the socket to a room.</summary>
    /// <param name="room">The room name.</param>
    /// <exception cref="PrivateRoomException">The room is another socket's own room or another user's personal
    /// room (unless <c>GatewaysOptions.AllowJoiningPrivateRooms</c> is set).</exception>
    void Join(string room);

    /// <summary>Adds the socket to several rooms; none is joined when one is refused.</summary>
    /// <param name="rooms">The room names.</param>
    /// <exception cref="PrivateRoomException">One of the rooms is another socket's or another user's private room.</exception>
    void Join(IEnumerable<string> rooms);

    /// <summary>Whether <see cref="Join(string)"/> would accept <paramref name="room"/>: <see langword="false"/> for
    /// another socket's own room or another user's personal room. Use it to refuse posting into such a room too.</summary>
    /// <param name="room">The room name.</param>
    bool CanJoin(string room) => true;

    /// <summary>Removes the socket from a room.</summary>
    /// <param name="room">The room name.</param>
    void Leave(string room);


    /// <summary>Sends an event only if the transport can take it now (socket.io's <c>socket.volatile.emit</c>): on a
    /// WebSocket with nothing in flight, or a poll that is waiting. Otherwise it is dropped, never queued and never
    /// stored for connection state recovery.</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="args">The arguments, serialized as <see cref="IGatewayEmitter.Emit"/> does.</param>
    /// <returns>Whether it was sent.</returns>
    bool EmitVolatile(string eventName, params object?[] args);

    /// <summary>Sends an event and waits for the client's acknowledgement (socket.io's
    /// <c>socket.timeout(ms).emitWithAck()</c>).</summary>
    /// <param name="eventName">The event name the client listens to.</param>
    /// <param name="timeout">How long to wait for the acknowledgement.</param>
    /// <param name="args">The event arguments.</param>
    /// <returns>The arguments the client passed to its acknowledgement callback.</returns>
    /// <exception cref="TimeoutException">The client did not acknowledge within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The socket disconnected first.</exception>
    Task<EventArguments> EmitWithAckAsync(string eventName, TimeSpan timeout, params object?[] args);

    /// <summary>Targets the sockets in a room, except this one (socket.io's <c>socket.to(room)</c>).</summary>
    /// <param name="room">The room name.</param>
    IBroadcastOperator To(string room);

    /// <summary>Targets every socket of the namespace except this one (socket.io's <c>socket.broadcast</c>).</summary>
    IBroadcastOperator Broadcast { get; }

    /// <summary>Disconnects the socket from its namespace; the client receives a DISCONNECT packet.</summary>
    /// <param name="close">Also close the underlying connection, which ends every namespace of that client.</param>
    void Disconnect(bool close = false);
}
