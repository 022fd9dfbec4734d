using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Gateways.SocketIO;
using Microsoft.Extensions.Logging;

namespace Gateways.Adapters;

/// <summary>
/// What an adapter sees of its namespace on this server: the local sockets, how to deliver to them, and the
/// namespace's settings. It is the whole seam between the runtime and an adapter — one built on Redis, Postgres or
/// NATS needs nothing else.
/// </summary>
public interface IGatewayAdapterContext
{
    /// <summary>The namespace name (<c>/</c>, <c>/chat</c>, …).</summary>
    string Namespace { get; }

    /// <summary>The name to put in metrics and span names: <see cref="Namespace"/>, or for a dynamic namespace's child
    /// (<c>/tenant-42</c>) its pattern (<c>/tenant-{id}</c>), so that tenants do not each mint a series.</summary>
    string TelemetryNamespace => Namespace;

    /// <summary>The namespace as a server: what an adapter's remote sockets use to reach a socket on another
    /// server (<c>Server.To(socketId).Emit(…)</c>).</summary>
    IGatewayServer Server { get; }

    /// <summary>The JSON settings of event arguments (and of server-side emits).</summary>
    JsonSerializerOptions SerializerOptions { get; }

    /// <summary>The clock for timeouts.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>The runtime's logger for this namespace's adapter.</summary>
    ILogger Logger { get; }

    /// <summary>The largest frame a local client can be sent (what one session's send queue may hold).</summary>
    long MaxPacketBytes { get; }

    /// <summary>How many sockets are connected to this namespace on this server.</summary>
    int LocalSocketCount { get; }

    /// <summary>The sockets connected to this namespace on this server.</summary>
    IEnumerable<IGatewayLocalSocket> LocalSockets { get; }

    /// <summary>Finds a socket connected to this namespace on this server.</summary>
    /// <param name="socketId">The socket id.</param>
    /// <param name="socket">The socket, when found.</param>
    bool TryGetLocalSocket(string socketId, [NotNullWhen(true)] out IGatewayLocalSocket? socket);

    /// <summary>The namespace's connection state recovery settings; <see langword="null"/> when recovery is off. An
    /// adapter that implements <see cref="IGatewaySessionStore"/> stamps offsets and keeps sessions only when it is on.</summary>
    Hosting.ConnectionStateRecoveryOptions? ConnectionStateRecovery => null;

    /// <summary>The packet as this server's sockets are to get it, from a broadcast of this server or of another:
    /// with connection state recovery on, an EVENT without acknowledgement is stamped with its offset and stored for
    /// <paramref name="targets"/> (rooms with no connected socket too: a lost socket may be in them). An adapter calls it
    /// once per broadcast, before delivering locally, and publishes the packet it was given, not this one.</summary>
    /// <param name="packet">The packet to deliver.</param>
    /// <param name="targets">The rooms and exceptions it was sent to.</param>
    /// <returns>The packet to hand the local sockets.</returns>
    OutgoingPacket PrepareLocalDelivery(OutgoingPacket packet, BroadcastOptions targets) => packet;

    /// <summary>Prepares a packet for local delivery (<see cref="PrepareLocalDelivery"/>) and delivers it in one step
    /// that no other stamped delivery of the namespace interleaves with, so every socket gets stored events in the
    /// order of their offsets (a client reconnects with the last offset it saw, which must be its newest). The
    /// in-memory adapter uses it while recovery is on.</summary>
    /// <param name="packet">The packet to deliver.</param>
    /// <param name="targets">The rooms and exceptions it was sent to.</param>
    /// <param name="deliver">Sends the prepared packet to the local targets.</param>
    void DeliverInOffsetOrder(OutgoingPacket packet, BroadcastOptions targets, Action<OutgoingPacket> deliver) =>
        deliver(PrepareLocalDelivery(packet, targets));

    /// <summary>Tells the app (its <see cref="IOnSessionExpired"/> handlers) that a session an
    /// <see cref="IGatewaySessionStore"/> kept ended without recovery. The store calls it once per session across
    /// every server that shares the storage.</summary>
    /// <param name="session">The session that expired.</param>
    void ReportSessionExpired(GatewaySessionRecord session)
    {
    }

    /// <summary>The next acknowledgement id of the namespace (unique per namespace, as in socket.io).</summary>
    long NextAckId();

    /// <summary>Reads event arguments another server sent: a JSON array, binary placeholders included.</summary>
    /// <param name="jsonArray">The UTF-8 JSON array of arguments.</param>
    /// <param name="attachments">The binary attachments its placeholders point to.</param>
    /// <exception cref="FormatException">The JSON is not an array, or a placeholder points nowhere.</exception>
    EventArguments ReadArguments(ReadOnlyMemory<byte> jsonArray, IReadOnlyList<ReadOnlyMemory<byte>> attachments);

    /// <summary>Runs this server's <see cref="IGatewayServer.OnServerSideEmit"/> listeners for an event another
    /// server sent.</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="args">Its arguments.</param>
    /// <returns>Whether anyone listens here, and the first listener's answer.</returns>
    ValueTask<ServerSideEmitResult> DispatchServerSideEmitAsync(string eventName, EventArguments args);
}

/// <summary>What the listeners of one server made of a server-side emit.</summary>
/// <param name="Heard">Whether any listener on this server took the event.</param>
/// <param name="Answer">The first listener's answer (for <c>ServerSideEmitWithAckAsync</c>).</param>
public readonly record struct ServerSideEmitResult(bool Heard, object? Answer);

/// <summary>A socket connected to this server, as its adapter reaches it.</summary>
public interface IGatewayLocalSocket : IGatewaySocket
{
    /// <summary>Queues a packet for the client. The packet is encoded on its first send and the same bytes go to
    /// every later target.</summary>
    /// <param name="packet">The packet.</param>
    /// <returns><see langword="false"/> when the socket is gone or its send queue overflowed (it is then closed).</returns>
    bool Send(OutgoingPacket packet);

    /// <summary>Sends a packet only if the client's transport can take it now; never queues it (a volatile
    /// broadcast, <see cref="BroadcastFlags.Volatile"/>).</summary>
    /// <param name="packet">The packet.</param>
    /// <returns>Whether it was sent.</returns>
    bool SendVolatile(OutgoingPacket packet);

    /// <summary>Sends a packet that carries an acknowledgement id (<see cref="OutgoingPacket.AckId"/>) and waits
    /// for the client's answer.</summary>
    /// <param name="packet">The packet.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <exception cref="TimeoutException">No answer in time.</exception>
    /// <exception cref="OperationCanceledException">The socket disconnected first.</exception>
    Task<EventArguments> SendWithAckAsync(OutgoingPacket packet, TimeSpan timeout);

    /// <summary>Joins the rooms that are not private to another socket or user and skips (and logs) the rest: the
    /// server-wide <c>SocketsJoin</c>, also on behalf of another server, where one refusal must not stop the others.</summary>
    /// <param name="rooms">The rooms.</param>
    void JoinPermitted(IReadOnlyCollection<string> rooms);
}
