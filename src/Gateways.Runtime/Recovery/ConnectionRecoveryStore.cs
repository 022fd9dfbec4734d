using System.Globalization;
using System.Security.Claims;
using Gateways.Adapters;
using Gateways.Hosting;
using Gateways.SocketIO;
using Microsoft.Extensions.Logging;

namespace Gateways.Recovery;

/// <summary>What a lost socket leaves behind for its client to take back: its ids, rooms, items and user.</summary>
/// <remarks><see cref="User"/> is kept only in memory: a session restored from an adapter's shared storage has the
/// <see cref="UserId"/> alone, and its client authenticates again.</remarks>
internal sealed record RecoverySession(string PrivateId, string SocketId, string[] Rooms, KeyValuePair<string, object?>[] Items,
    ClaimsPrincipal? User, string? UserId, DateTimeOffset? TokenExpiresAt, string? ConnectedAtOffset, DateTimeOffset DisconnectedAt);

/// <summary>
/// One namespace's connection state recovery, in memory (socket.io's <c>SessionAwareAdapter</c>): every EVENT sent
/// without an acknowledgement is stamped with an offset (its last argument) and kept with its targets; the session of
/// a socket whose connection was lost is kept; a client that comes back with the session's private id and the last
/// offset it saw gets the session and the events after that offset which were meant for its rooms. Sessions, packets
/// and their bytes are bounded (the oldest go first) and everything older than the window is swept.
/// </summary>
internal sealed class ConnectionRecoveryStore : IRecoveryStore
{
    private readonly string _namespace;
    private readonly ConnectionStateRecoveryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<RecoverySession> _onExpired;
    private readonly long _maxPacketBytes;
    // Offsets start with this store's own prefix, so one from another process or namespace never matches.
    private readonly string _prefix = Internal.RandomIds.Next()[..6] + "-";
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<RecoverySession>> _sessions = new(StringComparer.Ordinal);
    private readonly LinkedList<RecoverySession> _sessionsByAge = new();
    private readonly Queue<StoredPacket> _packets = new();
    private readonly ITimer _sweep;
    private long _lastOffset;
    private long _storedBytes;
    // Dropped at the limits since the last warning: logged at most once a minute, so a flood cannot amplify logs.
    private long _droppedSessions;
    private long _droppedPackets;

    private readonly record struct StoredPacket(long Offset, OutgoingPacket Packet, BroadcastOptions Targets, long Size, long StoredAt);

    /// <param name="namespace">The namespace, for logs and metrics.</param>
    /// <param name="options">The limits and the window.</param>
    /// <param name="time">The clock.</param>
    /// <param name="maxPacketBytes">A packet larger than this reaches no client and is not kept.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="onExpired">Told, outside the store's lock, of each session that ends without recovery.</param>
    public ConnectionRecoveryStore(string @namespace, ConnectionStateRecoveryOptions options, TimeProvider time, long maxPacketBytes,
        ILogger logger, Action<RecoverySession> onExpired)
    {
        _namespace = @namespace;
        _logger = logger;
        _onExpired = onExpired;
        _options = options;
        _time = time;
        _maxPacketBytes = maxPacketBytes;
        var period = options.MaxDisconnectionDuration < TimeSpan.FromMinutes(1) ? options.MaxDisconnectionDuration : TimeSpan.FromMinutes(1);
        _sweep = time.CreateTimer(static s => ((ConnectionRecoveryStore)s!).Sweep(), this, period, period);
    }

    /// <summary>The offset of the last packet stamped, for a socket connecting now: what it may miss comes after.</summary>
    public long LastOffset
    {
        get
        {
            lock (_lock)
            {
                return _lastOffset;
            }
        }
    }

    /// <inheritdoc/>
    public string CurrentOffset => Format(LastOffset);

    /// <inheritdoc/>
    public OutgoingPacket PrepareLocalDelivery(OutgoingPacket packet, BroadcastOptions targets) => Stamp(packet, targets);

    /// <inheritdoc/>
    public ValueTask<RestoredSession?> TryRestoreAsync(string privateId, string? offset) =>
        ValueTask.FromResult(TryRestore(privateId, offset, out var session, out var missed) ? new RestoredSession(session, missed) : null);

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<OutgoingPacket>> ReadAfterAsync(string offset, string[] rooms)
    {
        if (!TryParse(offset, out var after))
        {
            return ValueTask.FromResult<IReadOnlyList<OutgoingPacket>>([]);
        }
        var found = new List<StoredPacket>();
        lock (_lock)
        {
            foreach (var stored in _packets)
            {
                if (stored.Offset > after && IsFor(rooms, stored.Targets))
                {
                    found.Add(stored);
                }
            }
        }
        found.Sort(static (a, b) => a.Offset.CompareTo(b.Offset));
        return ValueTask.FromResult<IReadOnlyList<OutgoingPacket>>([.. found.Select(static stored => stored.Packet)]);
    }

    public int SessionCount
    {
        get
        {
            lock (_lock)
            {
                return _sessions.Count;
            }
        }
    }

    public int PacketCount
    {
        get
        {
            lock (_lock)
            {
                return _packets.Count;
            }
        }
    }

    /// <summary>The packet as its local targets get it: an EVENT without acknowledgement is stamped with an offset and
    /// kept for <paramref name="targets"/>; anything else goes as it is.</summary>
    public OutgoingPacket Stamp(OutgoingPacket packet, BroadcastOptions targets)
    {
        if (packet.Type != SocketIOPacketType.Event || packet.AckId >= 0)
        {
            return packet;
        }
        long offset;
        lock (_lock)
        {
            offset = ++_lastOffset;
        }
        var stamped = packet.WithOffset(Format(offset));
        // Encoded outside the lock; one too large for any client is refused by the adapter and never kept.
        var size = stamped.EncodedSize;
        if (size > _maxPacketBytes)
        {
            return stamped;
        }
        lock (_lock)
        {
            _packets.Enqueue(new StoredPacket(offset, stamped, targets, size, _time.GetTimestamp()));
            _storedBytes += size;
            while (_packets.Count > _options.MaxStoredPackets || _storedBytes > _options.MaxStoredBytes)
            {
                _storedBytes -= _packets.Dequeue().Size;
                _droppedPackets++;
                Internal.GatewaysMetrics.RecoveryDroppedAtLimit(_namespace, "event", 1);
            }
        }
        return stamped;
    }

    /// <summary>Keeps the session of a socket whose connection was lost.</summary>
    public void Persist(RecoverySession session)
    {
        RecoverySession? pushedOut = null;
        lock (_lock)
        {
            if (_sessions.Remove(session.PrivateId, out var previous))
            {
                _sessionsByAge.Remove(previous);
            }
            _sessions[session.PrivateId] = _sessionsByAge.AddLast(session);
            if (_sessions.Count > _options.MaxSessions)
            {
                pushedOut = _sessionsByAge.First!.Value;
                _sessionsByAge.RemoveFirst();
                _sessions.Remove(pushedOut.PrivateId);
                _droppedSessions++;
            }
        }
        if (pushedOut is not null)
        {
            Internal.GatewaysMetrics.RecoveryDroppedAtLimit(_namespace, "session", 1);
            _onExpired(pushedOut);
        }
    }

    /// <summary>Takes a session back (once) with the packets its client missed after <paramref name="offset"/> (or,
    /// without one, since the socket connected). False when the session is unknown, expired, its user's token has
    /// expired, or a packet it may have missed is no longer stored.</summary>
    public bool TryRestore(string privateId, string? offset, out RecoverySession session, out List<OutgoingPacket> missed)
    {
        var outcome = Restore(privateId, offset, out session, out missed);
        Internal.GatewaysMetrics.RecoveryAttempt(_namespace, outcome);
        if (outcome == "expired")
        {
            _onExpired(session); // it was still here, past its window: the sweep has not told anyone yet
        }
        return outcome == "recovered";
    }

    private string Restore(string privateId, string? offset, out RecoverySession session, out List<OutgoingPacket> missed)
    {
        missed = [];
        lock (_lock)
        {
            if (!_sessions.Remove(privateId, out var node))
            {
                session = null!;
                return "unknown_session";
            }
            _sessionsByAge.Remove(node);
            session = node.Value;
            var now = _time.GetUtcNow();
            if (now - session.DisconnectedAt > _options.MaxDisconnectionDuration)
            {
                return "expired";
            }
            if (session.TokenExpiresAt <= now)
            {
                return "token_expired";
            }
            if (!TryParse(offset ?? session.ConnectedAtOffset, out var after) || after > _lastOffset)
            {
                return "unknown_session";
            }
            // Something after the client's offset was dropped (bounds or age): it cannot be given everything.
            // (Concurrent broadcasts may enqueue a little out of order: the smallest offset, and a sort.)
            var oldest = _lastOffset + 1;
            var found = new List<StoredPacket>();
            foreach (var stored in _packets)
            {
                oldest = Math.Min(oldest, stored.Offset);
                if (stored.Offset > after && IsFor(session.Rooms, stored.Targets))
                {
                    found.Add(stored);
                }
            }
            if (oldest > after + 1)
            {
                return "events_gone";
            }
            found.Sort(static (a, b) => a.Offset.CompareTo(b.Offset));
            missed.AddRange(found.Select(static stored => stored.Packet));
            return "recovered";
        }
    }

    // socket.io's shouldIncludePacket: meant for every socket or for one of the session's rooms, and none excluded.
    private static bool IsFor(string[] rooms, BroadcastOptions targets) =>
        (targets.Rooms.Count == 0 || rooms.Any(targets.Rooms.Contains)) && !rooms.Any(targets.Except.Contains);

    private string Format(long offset) => _prefix + offset.ToString(CultureInfo.InvariantCulture);

    private bool TryParse(string? offset, out long value)
    {
        value = 0;
        return offset is not null && offset.StartsWith(_prefix, StringComparison.Ordinal)
            && long.TryParse(offset.AsSpan(_prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Drops the sessions and packets older than the window; tells the app of each session that expired, and
    /// warns (once per sweep at most) of what the limits dropped since the last sweep.</summary>
    internal void Sweep()
    {
        var window = _options.MaxDisconnectionDuration;
        var now = _time.GetUtcNow();
        List<RecoverySession>? expired = null;
        long droppedSessions, droppedPackets;
        lock (_lock)
        {
            while (_sessionsByAge.First is { } oldest && now - oldest.Value.DisconnectedAt > window)
            {
                _sessionsByAge.RemoveFirst();
                _sessions.Remove(oldest.Value.PrivateId);
                (expired ??= []).Add(oldest.Value);
            }
            while (_packets.TryPeek(out var stored) && _time.GetElapsedTime(stored.StoredAt) > window)
            {
                _storedBytes -= _packets.Dequeue().Size;
            }
            (droppedSessions, droppedPackets) = (_droppedSessions, _droppedPackets);
            (_droppedSessions, _droppedPackets) = (0, 0);
        }
        if (droppedSessions + droppedPackets > 0)
        {
            Namespaces.SocketIOLog.RecoveryLimitsReached(_logger, _namespace, droppedSessions, droppedPackets, _options.MaxSessions,
                _options.MaxStoredPackets, _options.MaxStoredBytes);
        }
        foreach (var session in expired ?? [])
        {
            _onExpired(session);
        }
    }

    public void Dispose() => _sweep.Dispose();
}
