using System.Text.Json;
using Gateways.SocketIO;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateways.Adapters.Redis;

/// <summary>
/// The adapter of one namespace across a cluster on Redis pub/sub, speaking the classic protocol of Node's
/// <c>@socket.io/redis-adapter</c> 8.x (<c>createAdapter</c>): broadcasts go to <c>{key}#{nsp}#</c> (or
/// <c>{key}#{nsp}#{room}#</c> for one room) as MessagePack <c>[uid, packet, opts]</c>; cluster requests go to
/// <c>{key}-request#{nsp}#</c> and their answers to <c>{key}-response#{nsp}#</c>. Also what
/// <c>@socket.io/redis-emitter</c> publishes to.
/// </summary>
public sealed class RedisGatewayAdapter : RedisClusterAdapter
{
    private enum RequestType
    {
        Sockets = 0,
        AllRooms = 1,
        RemoteJoin = 2,
        RemoteLeave = 3,
        RemoteDisconnect = 4,
        RemoteFetch = 5,
        ServerSideEmit = 6,
        Broadcast = 7,
        BroadcastClientCount = 8,
        BroadcastAck = 9,
    }

    private readonly RedisChannel _pattern;
    private readonly RedisChannel _requestChannel;
    private readonly RedisChannel _responseChannel;
    private readonly RedisChannel _specificResponseChannel;
    private readonly string _channelPrefix;
    private readonly string _responsePrefix;

    /// <summary>Creates the adapter of the namespace of <paramref name="context"/> and subscribes its channels.</summary>
    /// <param name="context">The namespace, as the runtime shows it to adapters.</param>
    /// <param name="redis">The shared Redis connection.</param>
    /// <param name="options">The adapter settings.</param>
    /// <param name="logger">The logger.</param>
    public RedisGatewayAdapter(IGatewayAdapterContext context, RedisAdapterConnection redis, RedisAdapterOptions options, ILogger logger)
        : base(context, redis, options, logger, RedisWire.NewId(3))
    {
        _channelPrefix = $"{options.Key}#{context.Namespace}#";
        _responsePrefix = $"{options.Key}-response#{context.Namespace}#";
        _pattern = RedisChannel.Pattern(_channelPrefix + "*");
        _requestChannel = RedisChannel.Literal($"{options.Key}-request#{context.Namespace}#");
        _responseChannel = RedisChannel.Literal(_responsePrefix);
        _specificResponseChannel = RedisChannel.Literal($"{_responsePrefix}{Uid}#");
        Channels =
        [
            (_pattern, (channel, message) => Guard(() => OnBroadcast(channel!, message!))),
            (_requestChannel, (_, message) => Guard(() => OnRequest(message!))),
            (_responseChannel, (_, message) => Guard(() => OnResponse(message!))),
            (_specificResponseChannel, (_, message) => Guard(() => OnResponse(message!))),
        ];
        StartSubscriptions();
    }

    /// <inheritdoc/>
    private protected override IReadOnlyList<(RedisChannel Channel, Action<RedisChannel, RedisValue> Handler)> Channels { get; }

    /// <inheritdoc/>
    public override Task<int> ServerCountAsync() => CountSubscribersAsync("NUMSUB", _requestChannel);

    // ---- broadcasts ----

    /// <inheritdoc/>
    public override void Broadcast(OutgoingPacket packet, BroadcastOptions options)
    {
        if (options.IsLocal)
        {
            base.Broadcast(packet, options); // this server's sockets only (socket.io's local flag)
            return;
        }
        // Refused at the sender before anything is published.
        if (!IsDeliverable(packet))
        {
            return;
        }
        // The message is written as MessagePack from the start ([uid, packet, opts], as the Node adapter's
        // notepack.encode gives it); the payload, the JSON tail of the frame local sockets get, is transcoded in one
        // streaming pass and never parsed into a document.
        var payload = packet.Payload;
        var message = new System.Buffers.ArrayBufferWriter<byte>(payload.Length + 128);
        var writer = new MessagePackWriter(message);
        writer.WriteArrayHeader(3);
        writer.WriteString(Uid);
        writer.WriteMapHeader(packet.AckId >= 0 ? 4 : 3);
        writer.WriteString("type"u8);
        writer.WriteInteger((int)packet.Type);
        writer.WriteString("data"u8);
        writer.WriteJson(payload.Span, packet.Attachments ?? []);
        writer.WriteString("nsp"u8);
        writer.WriteString(Context.Namespace);
        if (packet.AckId >= 0)
        {
            writer.WriteString("id"u8);
            writer.WriteInteger(packet.AckId);
        }
        var trace = Internal.GatewaysTracing.CurrentContext();
        writer.WriteMapHeader(trace is null ? 3 : trace.Value.TraceState is null ? 4 : 5);
        writer.WriteString("rooms"u8);
        writer.WriteStrings(options.Rooms);
        writer.WriteString("except"u8);
        writer.WriteStrings(options.Except);
        writer.WriteString("flags"u8);
        writer.WriteMapHeader(options.IsVolatile ? 1 : 0);
        if (options.IsVolatile)
        {
            writer.WriteString("volatile"u8);
            writer.WriteBoolean(true);
        }
        // Trace context for the receiving servers' spans; Node's adapter ignores option fields it does not know.
        if (trace is { } context)
        {
            writer.WriteString("traceparent"u8);
            writer.WriteString(context.TraceParent);
            if (context.TraceState is { } state)
            {
                writer.WriteString("tracestate"u8);
                writer.WriteString(state);
            }
        }
        var channel = options.Rooms.Count == 1 ? $"{_channelPrefix}{options.Rooms.First()}#" : _channelPrefix;
        Publish(RedisChannel.Literal(channel), message.WrittenSpan.ToArray());
        base.Broadcast(packet, options);
    }

    private void OnBroadcast(string channel, RedisValue message)
    {
        var room = channel.Length > _channelPrefix.Length ? channel[_channelPrefix.Length..^1] : "";
        if (room.Length > 0 && !HasLocalRoom(room))
        {
            return;
        }
        var bytes = (byte[])message!;
        // The uid comes first: this server's own broadcasts echo back through the pattern and stop here, unparsed.
        var reader = new MessagePackReader(bytes);
        if (reader.TryReadArrayHeader() != 3 || reader.ReadString() == Uid)
        {
            return;
        }
        Internal.GatewaysMetrics.AdapterReceived();
        var body = RedisWire.Parse(bytes, out var attachments);
        using (StartRemoteBroadcast(body[2]))
        {
            DeliverLocally(body[1], attachments, RedisWire.ReadOptions(body[2]));
        }
    }

    // ---- cluster requests made here ----

    /// <inheritdoc/>
    public override async Task<IReadOnlyCollection<string>> AllRoomsAsync()
    {
        var local = await base.AllRoomsAsync();
        var servers = await ServerCountAsync();
        if (servers <= 1)
        {
            return local;
        }
        var rooms = new HashSet<string>(local, StringComparer.Ordinal);
        var responses = await RequestAsync("allRooms", servers - 1, Options.RequestsTimeout, requestId => PublishRequest(RequestType.AllRooms, requestId, _ => { }));
        foreach (var (response, _) in responses)
        {
            rooms.UnionWith(RedisWire.ReadStrings(response, "rooms"));
        }
        return rooms;
    }

    private protected override void PublishFetch(string requestId, BroadcastOptions options) =>
        PublishRequest(RequestType.RemoteFetch, requestId, json => RedisWire.WriteOptions(json, "opts", options));

    private protected override void PublishCommand(ClusterCommand command, Action<Utf8JsonWriter> body) =>
        PublishRequest(command switch
        {
            ClusterCommand.Join => RequestType.RemoteJoin,
            ClusterCommand.Leave => RequestType.RemoteLeave,
            _ => RequestType.RemoteDisconnect,
        }, null, body);

    private protected override void PublishBroadcastWithAck(string requestId, byte[] packet, IReadOnlyList<ReadOnlyMemory<byte>>? attachments,
        BroadcastOptions options, TimeSpan timeout) =>
        Publish(_requestChannel, RedisWire.Finish(RedisWire.Json(json =>
        {
            json.WriteString("uid", Uid);
            json.WriteString("requestId", requestId);
            json.WriteNumber("type", (int)RequestType.Broadcast);
            json.WritePropertyName("packet");
            json.WriteRawValue(packet, skipInputValidation: true);
            RedisWire.WriteOptions(json, "opts", options, timeout);
        }), attachments));

    private protected override void PublishServerSideEmit(string? requestId, byte[] data, IReadOnlyList<ReadOnlyMemory<byte>>? attachments) =>
        Publish(_requestChannel, RedisWire.Finish(RedisWire.Json(json =>
        {
            json.WriteString("uid", Uid);
            if (requestId is not null)
            {
                json.WriteString("requestId", requestId);
            }
            json.WriteNumber("type", (int)RequestType.ServerSideEmit);
            json.WritePropertyName("data");
            json.WriteRawValue(data, skipInputValidation: true);
        }), attachments));

    private void PublishRequest(RequestType type, string? requestId, Action<Utf8JsonWriter> body) =>
        Publish(_requestChannel, RedisWire.Json(json =>
        {
            json.WriteString("uid", Uid);
            if (requestId is not null)
            {
                json.WriteString("requestId", requestId);
            }
            json.WriteNumber("type", (int)type);
            body(json);
        }));

    private void OnResponse(RedisValue message)
    {
        var response = RedisWire.Parse((byte[])message!, out var attachments);
        if (RedisWire.ReadString(response, "requestId") is not { } requestId)
        {
            return;
        }
        if (IsOwnRequest(requestId))
        {
            // The shared response channel carries every server's answers: only those to this one count.
            Internal.GatewaysMetrics.AdapterReceived();
        }
        var type = response.TryGetProperty("type", out var t) && t.TryGetInt32(out var value) ? (RequestType)value : (RequestType)(-1);
        switch (type)
        {
            case RequestType.BroadcastClientCount when response.TryGetProperty("clientCount", out var count) && count.TryGetInt32(out var clients):
                OnClientCount(requestId, clients);
                break;
            case RequestType.BroadcastAck:
                OnClientAnswer(requestId, response.TryGetProperty("packet", out var packet) ? packet : null, attachments);
                break;
            case RequestType.ServerSideEmit:
                OnRequestAnswer(requestId, response.TryGetProperty("data", out var data) ? data : default, attachments);
                break;
            default:
                // Sockets, all rooms, fetch and the older join/leave/disconnect acknowledgements carry no type.
                OnRequestAnswer(requestId, response, attachments);
                break;
        }
    }

    // ---- cluster requests from other servers ----

    private void OnRequest(RedisValue message)
    {
        var request = RedisWire.Parse((byte[])message!, out var attachments);
        if (!request.TryGetProperty("type", out var typeElement) || !typeElement.TryGetInt32(out var typeValue))
        {
            return;
        }
        var uid = RedisWire.ReadString(request, "uid");
        var requestId = RedisWire.ReadString(request, "requestId");
        if (uid == Uid || IsOwnRequest(requestId))
        {
            return;
        }
        Internal.GatewaysMetrics.AdapterReceived();
        var type = (RequestType)typeValue;
        switch (type)
        {
            case RequestType.Sockets:
                var ids = base.FetchSocketsAsync(ReadOptions(request)).Result.Select(s => s.Id);
                Respond(uid, json => { json.WriteString("requestId", requestId); RedisWire.WriteStrings(json, "sockets", ids); });
                break;
            case RequestType.AllRooms:
                var rooms = base.AllRoomsAsync().Result;
                Respond(uid, json => { json.WriteString("requestId", requestId); RedisWire.WriteStrings(json, "rooms", rooms); });
                break;
            case RequestType.RemoteJoin or RequestType.RemoteLeave or RequestType.RemoteDisconnect:
                OnRemoteCommand(type, request, uid, requestId);
                break;
            case RequestType.RemoteFetch:
                Respond(uid, json =>
                {
                    json.WriteString("requestId", requestId);
                    WriteLocalSockets(json, ReadOptions(request));
                });
                break;
            case RequestType.ServerSideEmit when request.TryGetProperty("data", out var data):
                // Node answers server-side emits on the shared response channel, whoever asked.
                _ = ServeServerSideEmitAsync(data, attachments, requestId is null ? null : answer =>
                    Publish(_responseChannel, RedisWire.Json(json =>
                    {
                        json.WriteNumber("type", (int)RequestType.ServerSideEmit);
                        json.WriteString("requestId", requestId);
                        json.WritePropertyName("data");
                        json.WriteRawValue(answer, skipInputValidation: true);
                    })));
                break;
            case RequestType.Broadcast when requestId is not null && request.TryGetProperty("packet", out var packet):
                var opts = request.TryGetProperty("opts", out var o) ? o : default;
                _ = ServeBroadcastWithAckAsync(packet, attachments, RedisWire.ReadOptions(opts),
                    RedisWire.ReadTimeout(opts) ?? Options.RequestsTimeout,
                    count => Respond(uid, json =>
                    {
                        json.WriteNumber("type", (int)RequestType.BroadcastClientCount);
                        json.WriteString("requestId", requestId);
                        json.WriteNumber("clientCount", count);
                    }),
                    (answer, answerAttachments) => Publish(ResponseChannelFor(uid), RedisWire.Finish(RedisWire.Json(json =>
                    {
                        json.WriteNumber("type", (int)RequestType.BroadcastAck);
                        json.WriteString("requestId", requestId);
                        WriteAnswer(json, "packet", answer);
                    }), answerAttachments)));
                break;
        }
    }

    private void OnRemoteCommand(RequestType type, JsonElement request, string? uid, string? requestId)
    {
        if (request.TryGetProperty("opts", out _))
        {
            var command = type switch
            {
                RequestType.RemoteJoin => ClusterCommand.Join,
                RequestType.RemoteLeave => ClusterCommand.Leave,
                _ => ClusterCommand.Disconnect,
            };
            RunCommandLocally(command, request, ReadOptions(request));
            return;
        }
        // The older form names one socket: answered only by the server that has it.
        if (RedisWire.ReadString(request, "sid") is not { } sid || !Context.TryGetLocalSocket(sid, out var socket))
        {
            return;
        }
        var room = RedisWire.ReadString(request, "room");
        switch (type)
        {
            case RequestType.RemoteJoin when room is not null: socket.Join(room); break;
            case RequestType.RemoteLeave when room is not null: socket.Leave(room); break;
            case RequestType.RemoteDisconnect: socket.Disconnect(request.TryGetProperty("close", out var c2) && c2.ValueKind == JsonValueKind.True); break;
        }
        Respond(uid, json => json.WriteString("requestId", requestId));
    }

    private static BroadcastOptions ReadOptions(JsonElement request) =>
        request.TryGetProperty("opts", out var opts) ? RedisWire.ReadOptions(opts)
        : request.TryGetProperty("rooms", out _) ? RedisWire.ReadOptions(request)
        : BroadcastOptions.All;

    private void Respond(string? uid, Action<Utf8JsonWriter> body) => Publish(ResponseChannelFor(uid), RedisWire.Json(body));

    private RedisChannel ResponseChannelFor(string? uid) =>
        Options.PublishOnSpecificResponseChannel && uid is not null ? RedisChannel.Literal($"{_responsePrefix}{uid}#") : _responseChannel;
}
