using Gateways.SocketIO;

namespace Gateways.Adapters;

/// <summary>
/// Implemented by an adapter that keeps connection state recovery in storage every server shares (Redis Streams, a
/// database), so a client recovers on any server, also after the one it was on restarted. When a namespace's adapter
/// implements it, the runtime keeps no sessions or events of its own: the adapter stamps every stored event with its
/// offset (the event's last argument, <see cref="OutgoingPacket.WithOffset(string)"/>) before it delivers it, direct
/// emits to a socket reach the adapter as broadcasts to the socket's own room, and sessions go to
/// <see cref="PersistSessionAsync"/>.
/// </summary>
public interface IGatewaySessionStore
{
    /// <summary>The offset of the newest stored event this server knows of, for a socket connecting now (what it may
    /// miss comes after it); <see langword="null"/> when unknown yet.</summary>
    string? CurrentOffset { get; }

    /// <summary>Keeps the session of a socket whose connection was lost, for the namespace's
    /// <see cref="Hosting.ConnectionStateRecoveryOptions.MaxDisconnectionDuration"/>.</summary>
    /// <param name="session">The socket's state.</param>
    Task PersistSessionAsync(GatewaySessionRecord session);

    /// <summary>Takes a session back, once, with the events its client missed after <paramref name="offset"/> (or, without
    /// one, after the session's <see cref="GatewaySessionRecord.ConnectedAtOffset"/>) that were meant for its rooms.</summary>
    /// <param name="privateId">The private session id the client presented.</param>
    /// <param name="offset">The offset of the last event it saw, if any.</param>
    /// <returns>The session and what it missed; <see langword="null"/> when the session is unknown or gone, or an event
    /// it may have missed is no longer stored.</returns>
    Task<GatewayRestoredSession?> RestoreSessionAsync(string privateId, string? offset);

    /// <summary>The stored events after <paramref name="offset"/> meant for <paramref name="rooms"/>, in order, each
    /// stamped with its offset: the runtime asks once more after a recovered socket has joined its rooms, for what was
    /// stored between the replay and then (it sends each event once).</summary>
    /// <param name="offset">The last offset replayed.</param>
    /// <param name="rooms">The socket's rooms.</param>
    Task<IReadOnlyList<OutgoingPacket>> ReadEventsAfterAsync(string offset, IReadOnlyList<string> rooms);
}

/// <summary>What a lost socket leaves behind for its client to take back.</summary>
/// <param name="PrivateId">The private session id (socket.io's <c>pid</c>), known only to the client.</param>
/// <param name="SocketId">The socket id the client gets back.</param>
/// <param name="Rooms">Its rooms.</param>
/// <param name="Items">Its <see cref="IGatewaySocket.Items"/>; restored from shared storage they are <see cref="System.Text.Json.JsonElement"/>s.</param>
/// <param name="UserId">Its user's id, when authenticated: the client must authenticate as that user again.</param>
/// <param name="TokenExpiresAt">When its user's token expires.</param>
/// <param name="ConnectedAtOffset">The newest stored event when the socket connected.</param>
/// <param name="DisconnectedAt">When its connection was lost.</param>
public sealed record GatewaySessionRecord(string PrivateId, string SocketId, IReadOnlyList<string> Rooms,
    IReadOnlyList<KeyValuePair<string, object?>> Items, string? UserId, DateTimeOffset? TokenExpiresAt, string? ConnectedAtOffset,
    DateTimeOffset DisconnectedAt);

/// <summary>A session taken back, with the events its client missed, in order, each stamped with its offset.</summary>
/// <param name="Session">The session.</param>
/// <param name="Missed">The missed events.</param>
public sealed record GatewayRestoredSession(GatewaySessionRecord Session, IReadOnlyList<OutgoingPacket> Missed);
