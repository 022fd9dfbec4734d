using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Gateways.Adapters;
using Gateways.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Namespaces;

/// <summary>
/// One Socket.IO namespace on this server: its connected sockets, its handlers and its adapter (rooms and
/// broadcasts). As an <see cref="IGatewayServer"/> it emits to the whole namespace; as an
/// <see cref="IGatewayAdapterContext"/> it is all its adapter sees.
/// </summary>
internal sealed class GatewayNamespace : NamespaceServer, IGatewayAdapterContext
{
    private readonly ConcurrentDictionary<string, GatewaySocket> _sockets = new(StringComparer.Ordinal);
    private readonly BroadcastOperator _all;
    private readonly ConcurrentDictionary<string, ImmutableArray<Func<EventArguments, ValueTask<object?>>>> _serverListeners =
        new(StringComparer.Ordinal);
    private readonly Lock _userRoomsLock = new();
    // Users with a socket here, and how many: their personal rooms are private while they are.
    private readonly Dictionary<string, int> _userSockets = new(StringComparer.Ordinal);
    private readonly bool _trackUserRooms;
    private readonly bool _allowPrivateRooms;
    private long _nextAckId;
    private readonly IServiceProvider _services;

    internal GatewayNamespace(string name, NamespaceDefinition definition, IGatewayAdapterFactory adapterFactory,
        JsonSerializerOptions serializerOptions, TimeProvider timeProvider, IServiceProvider services,
        GatewaysOptions options, Microsoft.Extensions.Logging.ILogger logger, ParentNamespace? parent = null,
        IReadOnlyDictionary<string, string>? values = null)
    {
        MaxPacketBytes = options.EngineIO.MaxBufferedBytes;
        _trackUserRooms = options.JoinUserRoom && !options.AllowJoiningPrivateRooms;
        _allowPrivateRooms = options.AllowJoiningPrivateRooms;
        Logger = logger;
        Name = name;
        Parent = parent;
        Values = values ?? FrozenDictionary<string, string>.Empty;
        // Metrics and span names take the pattern, not each child's name: one series per declaration.
        TelemetryName = parent?.Name ?? name;
        Middlewares = definition.Middlewares;
        ConnectionHandlers = definition.ConnectionHandlers;
        DisconnectHandlers = definition.DisconnectHandlers;
        DisconnectingHandlers = definition.DisconnectingHandlers;
        SessionExpiredHandlers = definition.SessionExpiredHandlers;
        _services = services;
        HandlerMetadata = definition.HandlerMetadata;
        EventHandlers = definition.EventHandlers;
        UnhandledHandler = definition.UnhandledHandler;
        UnhandledMetadata = definition.UnhandledMetadata;
        AnyListeners = definition.AnyListeners;
        OutgoingListeners = definition.OutgoingListeners;
        SerializerOptions = serializerOptions;
        TimeProvider = timeProvider;
        _all = new BroadcastOperator(this, BroadcastOptions.All);
        ConnectionStateRecovery = options.ConnectionStateRecovery.Enabled ? options.ConnectionStateRecovery : null;
        Adapter = adapterFactory.Create(this);
        if (services.GetService<AdminUI.AdminUIMonitor>() is { WatchesEverything: true } monitor && Adapter is InMemoryGatewayAdapter watched)
        {
            watched.MembershipChanged = (room, socketId, joined) => monitor.MembershipChanged(Name, room, socketId, joined);
        }
        // An adapter that keeps recovery in shared storage takes it over; otherwise this server keeps it in memory.
        Recovery = ConnectionStateRecovery is not { } recovery ? null
            : Adapter is IGatewaySessionStore store ? new Recovery.AdapterRecoveryStore(TelemetryName, store, logger)
            : new Recovery.ConnectionRecoveryStore(TelemetryName, recovery, timeProvider, MaxPacketBytes, logger, OnSessionExpired);
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <summary>The dynamic namespace this one is a child of; null for a namespace declared by its name.</summary>
    internal ParentNamespace? Parent { get; }

    /// <summary>The values the parent's pattern took from <see cref="Name"/>.</summary>
    internal IReadOnlyDictionary<string, string> Values { get; }

    /// <summary>The name metrics and spans carry: the parent's pattern for a child (bounded cardinality).</summary>
    internal string TelemetryName { get; }

    /// <summary>The adapter that keeps this namespace's rooms and delivers its broadcasts.</summary>
    public IGatewayAdapter Adapter { get; }

    /// <inheritdoc/>
    public override int LocalSocketCount => _sockets.Count;

    /// <summary>The sockets connected to this namespace on this server.</summary>
    public IEnumerable<GatewaySocket> LocalSockets => _sockets.Values;

    /// <inheritdoc/>
    public JsonSerializerOptions SerializerOptions { get; }

    /// <inheritdoc/>
    public TimeProvider TimeProvider { get; }

    /// <inheritdoc/>
    public Microsoft.Extensions.Logging.ILogger Logger { get; }

    /// <inheritdoc/>
    public long MaxPacketBytes { get; }

    string IGatewayAdapterContext.Namespace => Name;

    string IGatewayAdapterContext.TelemetryNamespace => TelemetryName;

    IGatewayServer IGatewayAdapterContext.Server => this;

    IEnumerable<IGatewayLocalSocket> IGatewayAdapterContext.LocalSockets => _sockets.Values;

    bool IGatewayAdapterContext.TryGetLocalSocket(string socketId, [NotNullWhen(true)] out IGatewayLocalSocket? socket)
    {
        var found = _sockets.TryGetValue(socketId, out var local);
        socket = local;
        return found;
    }

    /// <inheritdoc/>
    public EventArguments ReadArguments(ReadOnlyMemory<byte> jsonArray, IReadOnlyList<ReadOnlyMemory<byte>> attachments) =>
        SocketIO.SocketIOPayloadReader.TryReadArguments(jsonArray, attachments, SerializerOptions, out var arguments)
            ? arguments
            : throw new FormatException("The arguments are not a JSON array whose placeholders point to its attachments.");

    /// <summary>Sessions and stamped events of connection state recovery; null when it is off.</summary>
    internal Recovery.IRecoveryStore? Recovery { get; }

    /// <inheritdoc/>
    public ConnectionStateRecoveryOptions? ConnectionStateRecovery { get; }

    /// <inheritdoc/>
    public SocketIO.OutgoingPacket PrepareLocalDelivery(SocketIO.OutgoingPacket packet, BroadcastOptions targets) =>
        Recovery is { } recovery ? recovery.PrepareLocalDelivery(packet, targets) : packet;

    // Stamping and delivering one stored event at a time: a socket's events then arrive in offset order.
    private readonly object _deliveryOrder = new();

    /// <inheritdoc/>
    public void DeliverInOffsetOrder(SocketIO.OutgoingPacket packet, BroadcastOptions targets, Action<SocketIO.OutgoingPacket> deliver)
    {
        if (Recovery is not Recovery.ConnectionRecoveryStore memory)
        {
            deliver(PrepareLocalDelivery(packet, targets));
            return;
        }
        lock (_deliveryOrder)
        {
            deliver(memory.Stamp(packet, targets));
        }
    }

    /// <summary>Refuses, at the sender, a packet no client could receive.</summary>
    internal void EnsureDeliverable(SocketIO.EncodedPacket packet, string eventName)
    {
        var size = packet.Size;
        if (size > MaxPacketBytes)
        {
            Internal.GatewaysMetrics.DroppedTooLarge();
            throw new OutgoingMessageTooLargeException(eventName, size, MaxPacketBytes);
        }
    }

    internal GatewayConnectionMiddleware[] Middlewares { get; }

    internal Func<IGatewaySocket, IServiceProvider, ValueTask>[] ConnectionHandlers { get; }

    internal Func<IGatewaySocket, string, ValueTask>[] DisconnectHandlers { get; }

    internal Action<IGatewaySocket, string>[] DisconnectingHandlers { get; }

    internal Func<ExpiredSession, IServiceProvider, ValueTask>[] SessionExpiredHandlers { get; }

    /// <summary>Tells the app, once per session, that a lost socket's client did not come back.</summary>
    private void OnSessionExpired(Recovery.RecoverySession session)
    {
        if (SessionExpiredHandlers.Length == 0)
        {
            return;
        }
        var expired = new ExpiredSession(Name, session.SocketId, session.UserId, session.Rooms,
            session.Items.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal), session.DisconnectedAt);
        foreach (var handler in SessionExpiredHandlers)
        {
            _ = RunSessionExpiredAsync(handler, expired);
        }
    }

    /// <inheritdoc/>
    public void ReportSessionExpired(GatewaySessionRecord session) =>
        OnSessionExpired(new Recovery.RecoverySession(session.PrivateId, session.SocketId, [.. session.Rooms], [.. session.Items], null,
            session.UserId, session.TokenExpiresAt, session.ConnectedAtOffset, session.DisconnectedAt));

    private async Task RunSessionExpiredAsync(Func<ExpiredSession, IServiceProvider, ValueTask> handler, ExpiredSession session)
    {
        try
        {
            await using var scope = _services.CreateAsyncScope();
            await handler(session, scope.ServiceProvider);
        }
        catch (Exception ex)
        {
            SocketIOLog.SessionExpiredHandlerFailed(Logger, session.SocketId, Name, ex);
        }
    }

    internal FrozenDictionary<string, GatewayEventHandler> EventHandlers { get; }

    /// <summary>Takes the events no handler takes, if the app declared one.</summary>
    internal GatewayEventHandler? UnhandledHandler { get; }

    internal Dispatch.GatewayHandlerMetadata? UnhandledMetadata { get; }

    /// <summary>See every event before its handler (socket.io's <c>onAny</c>).</summary>
    internal GatewayEventHandler[] AnyListeners { get; }

    /// <summary>See every event sent to a socket (socket.io's <c>onAnyOutgoing</c>).</summary>
    internal Action<IGatewaySocket, string, EventArguments>[] OutgoingListeners { get; }

    internal FrozenDictionary<string, Dispatch.GatewayHandlerMetadata> HandlerMetadata { get; }

    /// <summary>Releases what the adapter and recovery hold (subscriptions, connections, timers): the app stops, or a
    /// dynamic namespace's child goes away.</summary>
    internal async ValueTask DisposeResourcesAsync()
    {
        try
        {
            Recovery?.Dispose();
            switch (Adapter)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
        catch (Exception ex)
        {
            NamespaceLog.AdapterDisposeFailed(Logger, Name, ex);
        }
    }

    /// <summary>The same, for a container disposed synchronously.</summary>
    internal void DisposeResources()
    {
        try
        {
            Recovery?.Dispose();
            switch (Adapter)
            {
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
                case IAsyncDisposable asyncDisposable:
                    asyncDisposable.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    break;
            }
        }
        catch (Exception ex)
        {
            NamespaceLog.AdapterDisposeFailed(Logger, Name, ex);
        }
    }

    /// <summary>Finds a socket connected to this namespace on this server.</summary>
    /// <param name="socketId">The socket id.</param>
    /// <param name="socket">The socket, when found.</param>
    public bool TryGetLocalSocket(string socketId, [NotNullWhen(true)] out GatewaySocket? socket) =>
        _sockets.TryGetValue(socketId, out socket);

    /// <inheritdoc/>
    public long NextAckId() => Interlocked.Increment(ref _nextAckId) - 1;

    internal void Add(GatewaySocket socket)
    {
        _sockets[socket.Id] = socket;
        if (!_trackUserRooms || socket.UserId is not { } userId)
        {
            return;
        }
        // Counted under the id it had now: the app may change UserId later, and Remove must undo exactly this.
        socket.PrivateRoomUserId = userId;
        bool first;
        lock (_userRoomsLock)
        {
            _userSockets.TryGetValue(userId, out var count);
            _userSockets[userId] = count + 1;
            first = count == 0;
        }
        if (first && Adapter is InMemoryGatewayAdapter adapter)
        {
            // Joined while the room was nobody's: whoever is in it and is not this user leaves before it is personal.
            foreach (var member in adapter.LocalMembers(userId))
            {
                if (_sockets.TryGetValue(member, out var other) && other.UserId != userId)
                {
                    Adapter.Delete(member, userId);
                    NamespaceLog.EvictedFromPrivateRoom(Logger, member, other.UserId ?? "-", userId, Name);
                }
            }
        }
    }

    internal void Remove(GatewaySocket socket)
    {
        if (!_sockets.TryRemove(new(socket.Id, socket)) || socket.PrivateRoomUserId is not { } userId)
        {
            return;
        }
        lock (_userRoomsLock)
        {
            if (_userSockets.TryGetValue(userId, out var count))
            {
                if (count <= 1)
                {
                    _userSockets.Remove(userId);
                }
                else
                {
                    _userSockets[userId] = count - 1;
                }
            }
        }
    }

    /// <summary>Why <paramref name="socket"/> may not join <paramref name="room"/>, or <see langword="null"/> when it
    /// may: another socket's own room and another connected user's personal room are private.</summary>
    internal string? PrivateRoomRefusal(GatewaySocket socket, string room)
    {
        if (_allowPrivateRooms || room == socket.Id || room == socket.UserId)
        {
            return null;
        }
        if (_sockets.ContainsKey(room))
        {
            return $"Room '{room}' is another socket's private room.";
        }
        if (_trackUserRooms)
        {
            lock (_userRoomsLock)
            {
                if (_userSockets.ContainsKey(room))
                {
                    return $"Room '{room}' is another user's private room.";
                }
            }
        }
        return null;
    }

    /// <inheritdoc/>
    protected override IBroadcastOperator All => _all;

    /// <inheritdoc/>
    public override void ServerSideEmit(string eventName, params object?[] args) => Adapter.ServerSideEmit(eventName, args);

    /// <inheritdoc/>
    public override Task<IReadOnlyList<EventArguments>> ServerSideEmitWithAckAsync(string eventName, TimeSpan timeout, params object?[] args) =>
        Adapter.ServerSideEmitWithAckAsync(eventName, args, timeout);

    /// <inheritdoc/>
    public override IDisposable OnServerSideEmit(string eventName, Func<EventArguments, ValueTask<object?>> listener)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        ArgumentNullException.ThrowIfNull(listener);
        _serverListeners.AddOrUpdate(eventName, _ => [listener], (_, listeners) => listeners.Add(listener));
        return new ListenerRegistration(() =>
            _serverListeners.AddOrUpdate(eventName, _ => [], (_, listeners) => listeners.Remove(listener)));
    }

    /// <inheritdoc/>
    public async ValueTask<ServerSideEmitResult> DispatchServerSideEmitAsync(string eventName, EventArguments args)
    {
        if (!_serverListeners.TryGetValue(eventName, out var listeners) || listeners.IsEmpty)
        {
            return new ServerSideEmitResult(false, null);
        }
        object? answer = null;
        for (var i = 0; i < listeners.Length; i++)
        {
            var result = await listeners[i](args);
            if (i == 0)
            {
                answer = result;
            }
        }
        return new ServerSideEmitResult(true, answer);
    }

    private sealed class ListenerRegistration(Action remove) : IDisposable
    {
        private Action? _remove = remove;

        public void Dispose() => Interlocked.Exchange(ref _remove, null)?.Invoke();
    }
}
