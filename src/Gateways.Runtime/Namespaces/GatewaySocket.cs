using System.Collections.Concurrent;
using System.Security.Claims;
using Gateways.Adapters;
using Gateways.SocketIO;
using Microsoft.Extensions.Logging;

namespace Gateways.Namespaces;

/// <summary>The server side of one client's connection to one namespace.</summary>
internal sealed class GatewaySocket : IGatewayLocalSocket
{
    private readonly SocketIOConnection _connection;
    private readonly GatewayNamespace _namespace;
    private readonly CancellationTokenSource _disconnected = new();
    // Both made on first use: most sockets never await an acknowledgement from their client nor keep items.
    private ConcurrentDictionary<long, TaskCompletionSource<EventArguments>>? _pendingAcks;
    private ConcurrentDictionary<string, object?>? _items;
    private int _state; // 0 connecting, 1 connected, 2 disconnected
    private BroadcastOptions? _ownRoom; // what a direct emit is stored for, with recovery on

    internal GatewaySocket(string id, SocketIOConnection connection, GatewayNamespace @namespace, Handshake handshake,
        ClaimsPrincipal? user)
    {
        Id = id;
        _connection = connection;
        _namespace = @namespace;
        Handshake = handshake;
        User = user;
    }

    /// <inheritdoc/>
    public string Id { get; }

    /// <inheritdoc/>
    public bool Recovered { get; init; }

    /// <summary>The private session id a client recovers this socket with (socket.io's <c>pid</c>); null when
    /// connection state recovery is off. Never shown to other clients.</summary>
    internal string? PrivateId { get; init; }

    /// <summary>The recovery offset when the socket connected: a client that saw no stamped event since then misses
    /// what came after it.</summary>
    internal string? ConnectedAtOffset { get; init; }

    /// <inheritdoc/>
    public string Namespace => _namespace.Name;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, string> NamespaceValues => _namespace.Values;

    /// <summary>The namespace name metrics and spans carry (a dynamic namespace's pattern, not the child's name).</summary>
    internal string TelemetryNamespace => _namespace.TelemetryName;

    /// <inheritdoc/>
    public Handshake Handshake { get; }

    /// <inheritdoc/>
    public ClaimsPrincipal? User { get; set; }

    /// <inheritdoc/>
    public string? UserId { get; set; }

    /// <inheritdoc/>
    public IReadOnlyCollection<string> Rooms => _namespace.Adapter.SocketRooms(Id);

    /// <inheritdoc/>
    public bool Connected => Volatile.Read(ref _state) == 1;

    /// <inheritdoc/>
    public CancellationToken Disconnected => _disconnected.Token;

    /// <inheritdoc/>
    public IDictionary<string, object?> Items =>
        Volatile.Read(ref _items) ?? LazyInitializer.EnsureInitialized(ref _items, static () => new(StringComparer.Ordinal));

    /// <summary>The items as they are now, without creating the dictionary.</summary>
    private KeyValuePair<string, object?>[] ItemsSnapshot() => Volatile.Read(ref _items) is { } items ? [.. items] : [];

    /// <summary>The id of the Engine.IO session (the connection) this socket rides on.</summary>
    public string ConnectionId => _connection.Session.Id;

    /// <summary>The transport the connection is on now: <c>polling</c> or <c>websocket</c>.</summary>
    internal string TransportName => _connection.Session.TransportName;

    internal GatewayNamespace GatewayNamespace => _namespace;

    /// <summary>When the socket's token expires (clock skew included), set by JWT authentication; the expiry timer
    /// starts only once the socket is connected, so a refused CONNECT leaves no timer behind.</summary>
    internal DateTimeOffset? TokenExpiresAt { get; set; }

    private ITimer? _expiryTimer;

    /// <summary>The user id the namespace counted this socket under for private rooms, if any.</summary>
    internal string? PrivateRoomUserId { get; set; }

    /// <inheritdoc/>
    public void Join(string room)
    {
        ThrowIfPrivate(room);
        _namespace.Adapter.AddAll(Id, [room]);
    }

    /// <inheritdoc/>
    public void Join(IEnumerable<string> rooms)
    {
        var list = rooms as IReadOnlyCollection<string> ?? [.. rooms];
        foreach (var room in list)
        {
            ThrowIfPrivate(room);
        }
        _namespace.Adapter.AddAll(Id, list);
    }

    /// <inheritdoc/>
    public bool CanJoin(string room) => _namespace.PrivateRoomRefusal(this, room) is null;

    /// <inheritdoc/>
    public void JoinPermitted(IReadOnlyCollection<string> rooms)
    {
        List<string>? permitted = null;
        foreach (var room in rooms)
        {
            if (_namespace.PrivateRoomRefusal(this, room) is { } reason)
            {
                NamespaceLog.PrivateRoomSkipped(_connection.Logger, Id, room, reason);
                continue;
            }
            (permitted ??= []).Add(room);
        }
        if (permitted is not null)
        {
            _namespace.Adapter.AddAll(Id, permitted);
        }
    }

    private void ThrowIfPrivate(string room)
    {
        ArgumentNullException.ThrowIfNull(room);
        if (_namespace.PrivateRoomRefusal(this, room) is { } reason)
        {
            throw new PrivateRoomException(room, reason);
        }
    }

    /// <inheritdoc/>
    public void Leave(string room) => _namespace.Adapter.Delete(Id, room);

    /// <inheritdoc/>
    public void Emit(string eventName, params object?[] args)
    {
        if (_namespace.Recovery is { } recovery)
        {
            // Stored for this socket's own room, so a client that loses the connection gets it back (as socket.io).
            _ownRoom ??= new BroadcastOptions(new HashSet<string>(StringComparer.Ordinal) { Id }, BroadcastOptions.All.Except);
            var outgoing = OutgoingPacket.Event(_namespace.Name, eventName, args, _namespace.SerializerOptions);
            if (recovery is not Recovery.ConnectionRecoveryStore)
            {
                // Shared storage: the adapter stores it and stamps its offset, as Node's adapters do for socket.emit.
                _namespace.Adapter.Broadcast(outgoing, _ownRoom);
                return;
            }
            _namespace.DeliverInOffsetOrder(outgoing, _ownRoom, stamped =>
            {
                _namespace.EnsureDeliverable(stamped.Frame, eventName);
                Send(stamped);
            });
            return;
        }
        var packet = SocketIOPacketWriter.WriteEvent(_namespace.Name, eventName, args, -1, _namespace.SerializerOptions);
        _namespace.EnsureDeliverable(packet, eventName);
        Send(packet);
    }

    /// <inheritdoc/>
    public bool EmitVolatile(string eventName, params object?[] args)
    {
        // Never stored for recovery, so never stamped with an offset: a plain frame.
        var packet = SocketIOPacketWriter.WriteEvent(_namespace.Name, eventName, args, -1, _namespace.SerializerOptions);
        _namespace.EnsureDeliverable(packet, eventName);
        return Connected && SendIfWritable(packet);
    }

    /// <inheritdoc/>
    public bool SendVolatile(OutgoingPacket packet) => Connected && SendIfWritable(packet.Frame, packet);

    private bool SendIfWritable(EncodedPacket packet, OutgoingPacket? shared = null)
    {
        var sent = _connection.SendIfWritable(packet, shared);
        if (sent && _namespace.OutgoingListeners.Length > 0)
        {
            NotifyOutgoing(packet);
        }
        return sent;
    }

    /// <inheritdoc/>
    public Task<EventArguments> EmitWithAckAsync(string eventName, TimeSpan timeout, params object?[] args)
    {
        var ackId = _namespace.NextAckId();
        var packet = SocketIOPacketWriter.WriteEvent(_namespace.Name, eventName, args, ackId, _namespace.SerializerOptions);
        _namespace.EnsureDeliverable(packet, eventName);
        return SendWithAckAsync(packet, ackId, eventName, timeout);
    }

    /// <inheritdoc/>
    public IBroadcastOperator To(string room) =>
        new BroadcastOperator(_namespace, new BroadcastOptions(new HashSet<string> { room }, new HashSet<string> { Id }));

    /// <inheritdoc/>
    public IBroadcastOperator Broadcast =>
        new BroadcastOperator(_namespace, BroadcastOptions.All with { Except = new HashSet<string> { Id } });

    /// <inheritdoc/>
    public void Disconnect(bool close = false)
    {
        if (!Connected)
        {
            return;
        }
        if (close)
        {
            _connection.DisconnectAll();
            return;
        }
        _connection.Send(new EncodedPacket(SocketIOPacketWriter.WriteDisconnect(_namespace.Name), null));
        OnDisconnect("server namespace disconnect");
    }

    /// <summary>Queues an encoded packet for this socket's client.</summary>
    /// <param name="packet">The packet; its bytes may be shared with other sockets.</param>
    /// <returns><see langword="false"/> when the socket is gone or its send queue overflowed.</returns>
    /// <param name="shared">The broadcast's packet the frame is of, if any: its MessagePack form is made once.</param>
    public bool Send(EncodedPacket packet, OutgoingPacket? shared = null)
    {
        if (_namespace.OutgoingListeners.Length > 0)
        {
            NotifyOutgoing(packet);
        }
        return Connected && _connection.Send(packet, shared);
    }

    /// <summary>Hands an outgoing EVENT to the onAnyOutgoing listeners, read back from its frame ("4" + the packet);
    /// acknowledgements and other packet types are not events and pass by.</summary>
    private void NotifyOutgoing(EncodedPacket packet)
    {
        var text = packet.Text;
        if (text.Length < 2 || text[1] is not ((byte)'2' or (byte)'5')
            || !SocketIOPacketParser.TryParse(text.AsMemory(1), _connection.Server.NamespaceNames, out var parsed, out _)
            || parsed.Layout.EventName is not { } eventName)
        {
            return;
        }
        var arguments = SocketIOPayloadReader.Bind(parsed.Payload, parsed.Layout, packet.Attachments ?? [], _namespace.SerializerOptions);
        foreach (var listener in _namespace.OutgoingListeners)
        {
            try
            {
                listener(this, eventName, arguments);
            }
            catch (Exception ex)
            {
                SocketIOLog.OutgoingListenerFailed(_connection.Logger, eventName, _namespace.Name, Id, ex);
            }
        }
    }

    /// <inheritdoc/>
    public bool Send(OutgoingPacket packet)
    {
        if (packet.Offset is { } offset && Volatile.Read(ref _replayedThrough) is not null)
        {
            lock (_holdLock)
            {
                if (_held is not null)
                {
                    _held.Add(packet);
                    return Connected;
                }
                if (!Recovery.Offsets.IsAfter(offset, _replayedThrough))
                {
                    return Connected; // replayed already: a live copy still on its way from before the replay ended
                }
            }
        }
        return Connected && Send(packet.Frame, packet);
    }

    // ---- the hand-off from replay to live delivery of a recovered socket ----

    private readonly Lock _holdLock = new();
    private List<OutgoingPacket>? _held;
    // The newest offset the replay sent (or the client's own): live copies up to it are not sent again.
    private string? _replayedThrough;

    /// <summary>Holds live stored events back (a recovered socket, before its replay): they are sent after the replay,
    /// in order, each once.</summary>
    /// <param name="clientOffset">The last offset the client saw, if it sent one.</param>
    internal void HoldLiveEvents(string? clientOffset)
    {
        lock (_holdLock)
        {
            _held = [];
            Volatile.Write(ref _replayedThrough, clientOffset ?? "");
        }
    }

    /// <summary>Sends a replayed event past the hold, unless it was sent already.</summary>
    internal void SendReplayed(OutgoingPacket packet)
    {
        lock (_holdLock)
        {
            if (packet.Offset is { } offset)
            {
                if (!Recovery.Offsets.IsAfter(offset, _replayedThrough))
                {
                    return;
                }
                _replayedThrough = offset;
            }
        }
        if (Connected)
        {
            Send(packet.Frame, packet);
        }
    }

    /// <summary>Ends the hold: the live events it kept that the replay did not send already go out, in order.</summary>
    internal void ReleaseLiveEvents()
    {
        lock (_holdLock)
        {
            foreach (var packet in _held ?? [])
            {
                if (Recovery.Offsets.IsAfter(packet.Offset!, _replayedThrough) && Connected)
                {
                    _replayedThrough = packet.Offset;
                    Send(packet.Frame, packet);
                }
            }
            _held = null;
        }
    }

    /// <inheritdoc/>
    public Task<EventArguments> SendWithAckAsync(OutgoingPacket packet, TimeSpan timeout)
    {
        if (packet.AckId < 0)
        {
            throw new ArgumentException("The packet carries no acknowledgement id.", nameof(packet));
        }
        return SendWithAckAsync(packet.Frame, packet.AckId, packet.EventName ?? "(relayed)", timeout);
    }

    internal async Task<EventArguments> SendWithAckAsync(EncodedPacket packet, long ackId, string eventName, TimeSpan timeout)
    {
        timeout = Internal.TimerLimits.Clamp(timeout);
        var answer = new TaskCompletionSource<EventArguments>(TaskCreationOptions.RunContinuationsAsynchronously);
        var entry = new KeyValuePair<long, TaskCompletionSource<EventArguments>>(ackId, answer);
        var pendingAcks = Volatile.Read(ref _pendingAcks) ?? LazyInitializer.EnsureInitialized(ref _pendingAcks);
        pendingAcks[ackId] = answer;
        try
        {
            // Registered before the check: either this sees the disconnect or the disconnect sees the registration.
            if (!Connected)
            {
                throw new OperationCanceledException($"Socket '{Id}' is disconnected.", Disconnected);
            }
            // The timer starts before the send: a client that answers (or a clock that moves) at once is never missed.
            var answered = answer.Task.WaitAsync(timeout, _namespace.TimeProvider);
            Send(packet);
            return await answered;
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                $"Socket '{Id}' did not acknowledge event '{eventName}' within {timeout.TotalMilliseconds} ms.");
        }
        finally
        {
            // Every way out (answer, timeout, disconnect, a send that threw) leaves no entry behind.
            pendingAcks.TryRemove(entry);
        }
    }

    /// <summary>The number of server-to-client acknowledgements still awaited (for tests of the bound).</summary>
    internal int PendingAckCount => Volatile.Read(ref _pendingAcks)?.Count ?? 0;

    internal void OnAck(long ackId, EventArguments arguments)
    {
        if (Volatile.Read(ref _pendingAcks) is { } pendingAcks && pendingAcks.TryRemove(ackId, out var answer))
        {
            answer.TrySetResult(arguments);
        }
        else
        {
            SocketIOLog.UnknownAck(_connection.Logger, Id, ackId);
        }
    }

    internal void MarkConnected()
    {
        Volatile.Write(ref _state, 1);
        Internal.GatewaysMetrics.SocketConnected(_namespace.TelemetryName);
        if (TokenExpiresAt is not null)
        {
            _expiryTimer = _namespace.TimeProvider.CreateTimer(static s => ((GatewaySocket)s!).OnExpiryTimer(), this,
                Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            ArmExpiryTimer();
        }
    }

    /// <summary>A socket that was refused (or whose connection closed while it was being decided): it never joins,
    /// and whatever a middleware registered on <see cref="Disconnected"/> is released now rather than kept alive.</summary>
    internal void ReleaseRefused()
    {
        if (Interlocked.CompareExchange(ref _state, 2, 0) != 0)
        {
            return;
        }
        // Cancelled, not disposed: code that kept the socket may still read Disconnected.
        try
        {
            _disconnected.Cancel();
        }
        catch (AggregateException ex)
        {
            SocketIOLog.DisconnectHandlerFailed(_connection.Logger, Id, _namespace.Name, ex);
        }
    }

    // Timers take at most ~49.7 days: a token valid for longer is waited for in steps.
    private void ArmExpiryTimer()
    {
        if (TokenExpiresAt is { } deadline && _expiryTimer is { } timer)
        {
            timer.Change(Internal.TimerLimits.NextStep(deadline, _namespace.TimeProvider.GetUtcNow()), Timeout.InfiniteTimeSpan);
        }
    }

    private void OnExpiryTimer()
    {
        if (!Connected || TokenExpiresAt is not { } deadline)
        {
            return;
        }
        if (_namespace.TimeProvider.GetUtcNow() < deadline)
        {
            ArmExpiryTimer();
            return;
        }
        SocketIOLog.TokenExpired(_connection.Logger, Id, UserId ?? "-");
        Emit("exception", new Dictionary<string, string> { ["status"] = "error", ["message"] = "Token expired" });
        Disconnect();
    }

    /// <summary>Leaves the namespace: rooms, pending acknowledgements and the disconnect handlers; once.</summary>
    internal void OnDisconnect(string reason)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            return;
        }
        Internal.GatewaysMetrics.SocketDisconnected(_namespace.TelemetryName);
        foreach (var handler in _namespace.DisconnectingHandlers)
        {
            try
            {
                handler(this, reason);
            }
            catch (Exception ex)
            {
                SocketIOLog.DisconnectHandlerFailed(_connection.Logger, Id, _namespace.Name, ex);
            }
        }
        if (_namespace.Recovery is { } recovery && PrivateId is not null && IsRecoverable(reason))
        {
            recovery.Persist(new Recovery.RecoverySession(PrivateId, Id, [.. Rooms], ItemsSnapshot(), User, UserId, TokenExpiresAt,
                ConnectedAtOffset, _namespace.TimeProvider.GetUtcNow()));
        }
        _namespace.Adapter.DeleteAll(Id);
        _namespace.Remove(this);
        _connection.Remove(this);
        // Read after the state changed (a full fence): a sender that registers later sees the disconnect instead.
        if (Volatile.Read(ref _pendingAcks) is { } pendingAcks)
        {
            foreach (var pending in pendingAcks)
            {
                if (pendingAcks.TryRemove(pending.Key, out var answer))
                {
                    answer.TrySetCanceled(Disconnected);
                }
            }
        }
        _disconnected.Cancel();
        _expiryTimer?.Dispose();
        SocketIOLog.SocketDisconnected(_connection.Logger, Id, _namespace.Name, reason);
        foreach (var handler in _namespace.DisconnectHandlers)
        {
            _ = RunDisconnectHandlerAsync(handler, reason);
        }
        _namespace.Parent?.OnSocketLeft(_namespace);
    }

    // socket.io's RECOVERABLE_DISCONNECT_REASONS: the connection was lost or the server went away; a client or server
    // that disconnects the socket on purpose ends its session.
    private static bool IsRecoverable(string reason) => reason is "transport error" or "transport close" or "forced close"
        or "ping timeout" or "server shutting down" or "forced server close";

    private async Task RunDisconnectHandlerAsync(Func<IGatewaySocket, string, ValueTask> handler, string reason)
    {
        try
        {
            await handler(this, reason);
        }
        catch (Exception ex)
        {
            SocketIOLog.DisconnectHandlerFailed(_connection.Logger, Id, _namespace.Name, ex);
        }
    }
}
