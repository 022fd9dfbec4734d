using System.Text.Json;
using Gateways.EngineIO;
using Gateways.Hosting;
using Gateways.SocketIO;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateways.Namespaces;

/// <summary>
/// The Socket.IO side of one Engine.IO session: takes whole packets from its <see cref="SocketIOPacketAssembler"/>,
/// connects namespaces and dispatches events and acknowledgements to the sockets (Socket.IO protocol, "Exchange
/// protocol").
/// </summary>
internal sealed class SocketIOConnection : IEngineIOSessionHandler
{
    private static readonly JsonElement EmptyAuth = JsonElement.Parse("{}"u8);

    private readonly SocketIOServer _server;
    private readonly GatewaysOptions _options;
    private readonly Lock _socketsLock = new();
    private readonly Dictionary<string, GatewaySocket> _sockets = new(StringComparer.Ordinal);
    // Dropped once a namespace connected: it never runs again, and an idle connection need not hold a timer for it.
    private ITimer? _connectTimeout;
    private readonly DateTimeOffset _opened;
    private readonly EventInvoker _invoker;
    private readonly SocketIOPacketAssembler _assembler;
    private ITimer? _binaryTimeout;
    private int _refusedConnects;
    private PacketParser _parser;

    public SocketIOConnection(SocketIOServer server, EngineIOSession session)
    {
        _server = server;
        _options = server.Options;
        Session = session;
        Logger = server.Logger;
        _opened = session.TimeProvider.GetUtcNow();
        _invoker = new EventInvoker(server, session.Id, DisconnectAll);
        _parser = PacketParser.Detect;
        _assembler = new SocketIOPacketAssembler(server.NamespaceNames, _options.MaxAttachments, session.Options.MaxPayload);
        _connectTimeout = session.TimeProvider.CreateTimer(static s => ((SocketIOConnection)s!).OnConnectTimeout(), this,
            _options.ConnectTimeout, Timeout.InfiniteTimeSpan);
    }

    public EngineIOSession Session { get; }

    public ILogger Logger { get; }

    /// <summary>The server this connection belongs to.</summary>
    internal SocketIOServer Server => _server;

    /// <summary>Whether this connection's client speaks socket.io-msgpack-parser; decided by its first packet.</summary>
    internal bool UsesMessagePack => _parser == PacketParser.MessagePack;

    public ValueTask OnMessageAsync(EngineIOMessage message)
    {
        if (_parser == PacketParser.Detect)
        {
            // The first packet of either parser is a CONNECT: text for JSON, a binary map for MessagePack.
            _parser = message.IsBinary ? PacketParser.MessagePack : PacketParser.Json;
            if (_options.Parser != PacketParser.Detect && _options.Parser != _parser)
            {
                return Reject($"this server accepts the {_options.Parser} parser only");
            }
        }
        if (_parser == PacketParser.MessagePack)
        {
            return OnMessagePackMessageAsync(message);
        }
        var wasWaiting = _assembler.IsWaiting;
        switch (_assembler.Accept(message, out var packet, out var attachments, out var error))
        {
            case AssemblyResult.Complete:
                if (wasWaiting)
                {
                    _binaryTimeout!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }
                return DispatchAsync(packet, attachments);
            case AssemblyResult.Pending:
                if (!wasWaiting)
                {
                    // An announced packet that never completes would hold its buffers: it gets a deadline.
                    _binaryTimeout ??= Session.TimeProvider.CreateTimer(static s => ((SocketIOConnection)s!).OnBinaryTimeout(), this,
                        Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    _binaryTimeout.Change(_options.BinaryPacketTimeout, Timeout.InfiniteTimeSpan);
                }
                return ValueTask.CompletedTask;
            default:
                return Reject(error!);
        }
    }

    private ValueTask OnMessagePackMessageAsync(EngineIOMessage message)
    {
        if (!message.IsBinary)
        {
            return Reject("a text message from a MessagePack client");
        }
        if (!MessagePackPacketCodec.TryDecode(message.Data.Span, _options.MaxJsonDepth, out var text, out var attachments, out var error)
            || !SocketIOPacketParser.TryParse(text, _server.NamespaceNames, out var packet, out error))
        {
            return Reject(error!);
        }
        if (attachments.Count > _options.MaxAttachments)
        {
            return Reject($"{attachments.Count} binary values, more than the limit of {_options.MaxAttachments}");
        }
        return DispatchAsync(packet, attachments);
    }

    /// <summary>Queues a packet in this client's parser: the text frame as written, or its MessagePack form — taken
    /// from <paramref name="shared"/> when the packet is a broadcast's, so it is encoded once for all its recipients.</summary>
    internal bool Send(EncodedPacket packet, OutgoingPacket? shared = null) => UsesMessagePack
        ? Session.TrySend(new OutgoingFrame(shared?.MessagePackFrame ?? MessagePackPacketCodec.Encode(packet), OutgoingFrameKind.Binary))
        : Session.TrySend(packet.Text, packet.Attachments);

    /// <summary>The same, only if the transport can take it now (a volatile packet).</summary>
    internal bool SendIfWritable(EncodedPacket packet, OutgoingPacket? shared = null) => UsesMessagePack
        ? Session.TrySendIfWritable(new OutgoingFrame(shared?.MessagePackFrame ?? MessagePackPacketCodec.Encode(packet), OutgoingFrameKind.Binary), null)
        : Session.TrySendIfWritable(new OutgoingFrame(packet.Text, OutgoingFrameKind.Text), packet.Attachments);

    private bool Send(byte[] textFrame) => Send(new EncodedPacket(textFrame, null));

    private void OnBinaryTimeout()
    {
        if (!_assembler.IsWaiting || !Session.IsOpen)
        {
            return;
        }
        SocketIOLog.BinaryPacketTimeout(Logger, Session.Id, _assembler.ReceivedAttachments, _assembler.ExpectedAttachments,
            _options.BinaryPacketTimeout);
        Session.Abort("binary packet timeout");
    }

    private ValueTask DispatchAsync(SocketIOPacket packet, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        switch (packet.Type)
        {
            case SocketIOPacketType.Connect:
                return ConnectAsync(packet);
            case SocketIOPacketType.Disconnect:
                FindSocket(packet.Namespace)?.OnDisconnect("client namespace disconnect");
                return ValueTask.CompletedTask;
            case SocketIOPacketType.Event:
            case SocketIOPacketType.BinaryEvent:
                var socket = FindSocket(packet.Namespace);
                if (socket is null)
                {
                    // Still an event: it takes from the connection's budget like any other.
                    if (!_invoker.TryAcquire(null))
                    {
                        _invoker.OnRateLimited(null);
                    }
                    SocketIOLog.EventForUnknownNamespace(Logger, Session.Id, packet.Namespace);
                    return ValueTask.CompletedTask;
                }
                var arguments = SocketIOPayloadReader.Bind(packet.Payload, packet.Layout, attachments, _server.SerializerOptions);
                return _invoker.InvokeAsync(socket, packet.Layout.EventName!, arguments, packet.AckId, packet.Layout.Depth);
            case SocketIOPacketType.Ack:
            case SocketIOPacketType.BinaryAck:
                if (packet.HasAckId)
                {
                    FindSocket(packet.Namespace)?.OnAck(packet.AckId,
                        SocketIOPayloadReader.Bind(packet.Payload, packet.Layout, attachments, _server.SerializerOptions));
                }
                return ValueTask.CompletedTask;
            default:
                return Reject("a client may not send CONNECT_ERROR");
        }
    }

    private ValueTask Reject(string reason)
    {
        SocketIOLog.InvalidPacket(Logger, Session.Id, reason);
        Session.Abort("parse error");
        return ValueTask.CompletedTask;
    }

    private GatewaySocket? FindSocket(string namespaceName)
    {
        lock (_socketsLock)
        {
            return _sockets.GetValueOrDefault(namespaceName);
        }
    }

    private async ValueTask ConnectAsync(SocketIOPacket packet)
    {
        // CONNECT packets take from the connection's budget too: connect/disconnect loops are events like any other.
        if (!_invoker.TryAcquire(null))
        {
            SocketIOLog.ConnectionRefused(Logger, Session.Id, packet.Namespace, "Too many requests");
            Send(SocketIOPacketWriter.WriteConnectError(packet.Namespace, "Too many requests", null));
            _invoker.OnRateLimited(null);
            CountRefusedConnect();
            return;
        }
        switch (_server.ReserveNamespace(packet.Namespace, out var @namespace))
        {
            case NamespaceLookup.NotFound:
                SocketIOLog.UnknownNamespace(Logger, Session.Id, packet.Namespace);
                Send(SocketIOPacketWriter.WriteConnectError(packet.Namespace, "Invalid namespace", null));
                CountRefusedConnect();
                return;
            case NamespaceLookup.Full:
                SocketIOLog.ConnectionRefused(Logger, Session.Id, packet.Namespace, "Too many namespaces");
                Send(SocketIOPacketWriter.WriteConnectError(packet.Namespace, "Too many namespaces", null));
                CountRefusedConnect();
                return;
        }
        var admitted = false;
        try
        {
            admitted = await ConnectAsync(packet, @namespace!);
        }
        finally
        {
            // A dynamic namespace's child made for this CONNECT goes away with a refusal.
            SocketIOServer.ReleaseNamespace(@namespace!, admitted);
        }
    }

    private async ValueTask<bool> ConnectAsync(SocketIOPacket packet, GatewayNamespace @namespace)
    {
        if (FindSocket(@namespace.Name) is not null)
        {
            SocketIOLog.AlreadyConnected(Logger, Session.Id, @namespace.Name);
            return false;
        }
        var auth = packet.Payload.IsEmpty ? EmptyAuth : JsonElement.Parse(packet.Payload.Span);
        var request = Session.Request;
        var handshake = new Handshake(request.Headers, request.Query, auth, request.RemoteAddress, request.Url,
            request.IsHttps, _opened);
        var user = request.AuthenticatedUser;
        var (socket, session, missed) = await CreateSocketAsync(@namespace, handshake, user, auth);
        var skipMiddlewares = session is not null && _options.ConnectionStateRecovery.SkipMiddlewares && !MustAuthenticateAgain(session);

        if ((!skipMiddlewares && !await RunMiddlewaresAsync(@namespace, socket)) || !IsSameUser(@namespace, socket, session)
            || !Session.IsOpen || !TryAdd(socket))
        {
            // Nothing of a refused socket may outlive this call: not its auth payload, not a timer.
            socket.ReleaseRefused();
            return false;
        }
        Volatile.Write(ref _refusedConnects, 0);
        Interlocked.Exchange(ref _connectTimeout, null)?.Dispose();
        Session.MarkApplicationConnected();
        socket.MarkConnected();
        @namespace.Add(socket);
        @namespace.Adapter.AddAll(socket.Id, session is not null ? session.Rooms
            : _options.JoinUserRoom && socket.UserId is { } userId ? [socket.Id, userId] : [socket.Id]);
        Send(SocketIOPacketWriter.WriteConnect(@namespace.Name, socket.Id, socket.PrivateId));
        SocketIOLog.SocketConnected(Logger, socket.Id, @namespace.Name, Session.Id);
        if (session is not null)
        {
            await ReplayAsync(@namespace.Recovery!, socket, session, missed, OffsetOf(auth));
        }

        foreach (var handler in @namespace.ConnectionHandlers)
        {
            await _invoker.RunConnectionHandlerAsync(socket, handler);
        }
        return true;
    }

    /// <summary>A fresh socket, or — with connection state recovery on and a CONNECT carrying a live session's private
    /// id (<c>pid</c>) and the last offset its client saw — the socket it had, with the events it missed.</summary>
    private async ValueTask<(GatewaySocket Socket, Recovery.RecoverySession? Session, IReadOnlyList<OutgoingPacket> Missed)> CreateSocketAsync(
        GatewayNamespace @namespace, Handshake handshake, System.Security.Claims.ClaimsPrincipal? user, JsonElement auth)
    {
        if (@namespace.Recovery is not { } recovery)
        {
            return (new GatewaySocket(EngineIOServer.NewSessionId(), this, @namespace, handshake, user), null, []);
        }
        // socket.io-client sends both; one that saw no stored event since it connected sends no offset.
        if (auth.ValueKind == JsonValueKind.Object && auth.TryGetProperty("pid", out var pid) && pid.ValueKind == JsonValueKind.String
            && await recovery.TryRestoreAsync(pid.GetString()!,
                OffsetOf(auth)) is { } restored)
        {
            var session = restored.Session;
            var recovered = new GatewaySocket(session.SocketId, this, @namespace, handshake, session.User ?? user)
            {
                Recovered = true,
                PrivateId = session.PrivateId,
                ConnectedAtOffset = session.ConnectedAtOffset,
                // A session from shared storage has no principal: the middlewares must find its user again.
                UserId = MustAuthenticateAgain(session) ? null : session.UserId,
                TokenExpiresAt = session.TokenExpiresAt,
            };
            foreach (var (key, value) in session.Items)
            {
                recovered.Items[key] = value;
            }
            recovered.HoldLiveEvents(OffsetOf(auth));
            return (recovered, session, restored.Missed);
        }
        return (new GatewaySocket(EngineIOServer.NewSessionId(), this, @namespace, handshake, user)
        {
            PrivateId = Internal.RandomIds.Next(),
            ConnectedAtOffset = recovery.CurrentOffset,
        }, null, []);
    }

    /// <summary>Sends a recovered socket what it missed, then what was stored for its rooms between that replay and its
    /// joining them (live events meanwhile are held back and follow, each event once and in order).</summary>
    private async ValueTask ReplayAsync(Recovery.IRecoveryStore recovery, GatewaySocket socket, Recovery.RecoverySession session,
        IReadOnlyList<OutgoingPacket> missed, string? clientOffset)
    {
        foreach (var missedPacket in missed)
        {
            socket.SendReplayed(missedPacket);
        }
        var caughtUp = 0;
        if ((missed.Count > 0 ? missed[^1].Offset : clientOffset ?? session.ConnectedAtOffset) is { } after)
        {
            var gap = await recovery.ReadAfterAsync(after, session.Rooms);
            foreach (var packet in gap)
            {
                socket.SendReplayed(packet);
            }
            caughtUp = gap.Count;
        }
        socket.ReleaseLiveEvents();
        SocketIOLog.SocketRecovered(Logger, socket.Id, socket.Namespace, missed.Count + caughtUp);
    }

    private static string? OffsetOf(JsonElement auth) =>
        auth.ValueKind == JsonValueKind.Object && auth.TryGetProperty("offset", out var offset) && offset.ValueKind == JsonValueKind.String
            ? offset.GetString() : null;

    private static bool MustAuthenticateAgain(Recovery.RecoverySession session) => session.User is null && session.UserId is not null;

    /// <summary>When a recovered socket ran the middlewares again, they must have found the session's own user: a
    /// private id presented with another user's credentials is refused.</summary>
    private bool IsSameUser(GatewayNamespace @namespace, GatewaySocket socket, Recovery.RecoverySession? session)
    {
        if (session is null || string.Equals(session.UserId, socket.UserId, StringComparison.Ordinal))
        {
            return true;
        }
        Refuse(@namespace, "Invalid session", null);
        return false;
    }

    private bool TryAdd(GatewaySocket socket)
    {
        lock (_socketsLock)
        {
            return _sockets.TryAdd(socket.Namespace, socket);
        }
    }

    /// <summary>A client that keeps being refused (guessing tokens, probing namespaces) loses its connection after
    /// <see cref="GatewaysOptions.MaxRefusedConnects"/> refusals in a row.</summary>
    private void CountRefusedConnect()
    {
        var limit = _options.MaxRefusedConnects;
        var refused = Interlocked.Increment(ref _refusedConnects);
        if (limit > 0 && refused == limit)
        {
            SocketIOLog.TooManyRefusedConnects(Logger, Session.Id, refused);
            Session.Close();
        }
    }

    private async ValueTask<bool> RunMiddlewaresAsync(GatewayNamespace @namespace, GatewaySocket socket)
    {
        var decision = await ConnectMiddlewarePipeline.RunAsync(@namespace.Middlewares, socket, _server.Services);
        if (decision.Failure is { } failure)
        {
            SocketIOLog.MiddlewareFailed(Logger, @namespace.Name, Session.Id, failure);
        }
        if (!decision.Admitted)
        {
            Refuse(@namespace, decision.Message!, decision.Data);
        }
        return decision.Admitted;
    }

    private void Refuse(GatewayNamespace @namespace, string message, JsonElement? data)
    {
        SocketIOLog.ConnectionRefused(Logger, Session.Id, @namespace.Name, message);
        Send(SocketIOPacketWriter.WriteConnectError(@namespace.Name, message, data));
        CountRefusedConnect();
    }

    public void OnClose(string reason)
    {
        Interlocked.Exchange(ref _connectTimeout, null)?.Dispose();
        _binaryTimeout?.Dispose();
        GatewaySocket[] sockets;
        lock (_socketsLock)
        {
            sockets = [.. _sockets.Values];
        }
        foreach (var socket in sockets)
        {
            socket.OnDisconnect(reason);
        }
    }

    /// <summary>The connection moved from polling to WebSocket: whoever watches the server hears of each socket.</summary>
    internal void OnTransportUpgraded()
    {
        if (_server.Monitor is not { WatchesEverything: true } monitor)
        {
            return;
        }
        GatewaySocket[] sockets;
        lock (_socketsLock)
        {
            sockets = [.. _sockets.Values];
        }
        foreach (var socket in sockets)
        {
            monitor.TransportChanged(socket);
        }
    }

    /// <summary>Disconnects every namespace (each client socket gets DISCONNECT), then closes the connection.</summary>
    internal void DisconnectAll()
    {
        GatewaySocket[] sockets;
        lock (_socketsLock)
        {
            sockets = [.. _sockets.Values];
        }
        foreach (var socket in sockets)
        {
            socket.Disconnect();
        }
        Session.Close();
    }

    internal void Remove(GatewaySocket socket)
    {
        lock (_socketsLock)
        {
            _sockets.Remove(socket.Namespace, out _);
        }
    }

    private void OnConnectTimeout()
    {
        lock (_socketsLock)
        {
            if (_sockets.Count > 0)
            {
                return;
            }
        }
        SocketIOLog.ConnectTimeout(Logger, Session.Id);
        Session.Close();
    }


}
