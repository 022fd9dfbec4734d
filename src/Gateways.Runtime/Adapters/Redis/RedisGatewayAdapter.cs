using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateways.Namespaces;
using Gateways.SocketIO;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateways.Adapters.Redis;

/// <summary>
/// The adapter of one namespace across a cluster, on Redis pub/sub, speaking the protocol of Node's
/// <c>@socket.io/redis-adapter</c> 8.x (classic mode): broadcasts go to <c>{key}#{nsp}#</c> (or
/// <c>{key}#{nsp}#{room}#</c> for one room) as MessagePack <c>[uid, packet, opts]</c>; cluster requests go to
/// <c>{key}-request#{nsp}#</c> and their answers to <c>{key}-response#{nsp}#</c>. Delivery across servers is
/// at-most-once, as in socket.io: while Redis is unreachable, local delivery continues and remote sends are dropped.
/// </summary>
public sealed partial class RedisGatewayAdapter : InMemoryGatewayAdapter, IDisposable
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

    private readonly RedisAdapterConnection _redis;
    private readonly RedisAdapterOptions _options;
    private readonly ILogger _logger;
    private readonly RedisChannel _pattern;
    private readonly RedisChannel _requestChannel;
    private readonly RedisChannel _responseChannel;
    private readonly RedisChannel _specificResponseChannel;
    private readonly string _channelPrefix;
    private readonly string _responsePrefix;
    private readonly NamespaceNameTable _names = new();
    private readonly ConcurrentDictionary<string, PendingRequest> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingAckRequest> _ackRequests = new(StringComparer.Ordinal);
    private bool _subscribed;

    /// <summary>Creates the adapter of <paramref name="namespace"/> and subscribes its channels.</summary>
    /// <param name="namespace">The namespace.</param>
    /// <param name="redis">The shared Redis connection.</param>
    /// <param name="options">The adapter settings.</param>
    /// <param name="logger">The logger.</param>
    public RedisGatewayAdapter(GatewayNamespace @namespace, RedisAdapterConnection redis, RedisAdapterOptions options, ILogger logger)
        : base(@namespace)
    {
        _redis = redis;
        _options = options;
        _logger = logger;
        Uid = NewId();
        _names.Add(@namespace.Name);
        _channelPrefix = $"{options.Key}#{@namespace.Name}#";
        _responsePrefix = $"{options.Key}-response#{@namespace.Name}#";
        _pattern = RedisChannel.Pattern(_channelPrefix + "*");
        _requestChannel = RedisChannel.Literal($"{options.Key}-request#{@namespace.Name}#");
        _responseChannel = RedisChannel.Literal(_responsePrefix);
        _specificResponseChannel = RedisChannel.Literal($"{_responsePrefix}{Uid}#");
        redis.Restored += Subscribe;
        Subscribe();
    }

    /// <summary>Subscribes the namespace's channels, once per namespace and server: the Node adapter counts servers
    /// with PUBSUB NUMSUB on the request channel. When Redis is away at startup this runs again once it is back.</summary>
    private void Subscribe()
    {
        if (Volatile.Read(ref _subscribed))
        {
            return;
        }
        var subscriber = _redis.Subscriber;
        try
        {
            foreach (var channel in new[] { _pattern, _requestChannel, _responseChannel, _specificResponseChannel })
            {
                // Dropping whatever a failed attempt may have left keeps one handler per channel.
                subscriber.Unsubscribe(channel, null, CommandFlags.FireAndForget);
            }
            subscriber.Subscribe(_pattern, (channel, message) => Guard(() => OnBroadcast(channel!, message!)));
            subscriber.Subscribe(_requestChannel, (_, message) => Guard(() => OnRequest(message!)));
            subscriber.Subscribe(_responseChannel, (_, message) => Guard(() => OnResponse(message!)));
            subscriber.Subscribe(_specificResponseChannel, (_, message) => Guard(() => OnResponse(message!)));
            Volatile.Write(ref _subscribed, true);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            RedisAdapterLog.Unreachable(_logger, ex.Message);
        }
    }

    /// <summary>This server's id in the cluster, as the Node adapter's <c>uid</c>: its own messages are ignored.</summary>
    public string Uid { get; }

    // ---- broadcasts ----

    /// <inheritdoc/>
    public override void Broadcast(EncodedPacket packet, BroadcastOptions options)
    {
        if (TryDecodeOutgoing(packet, out var type, out var ackId, out var payload))
        {
            var message = Encode(writer =>
            {
                writer.WriteArrayHeader(3);
                writer.WriteString(Uid);
                WritePacket(writer, type, ackId, payload, packet.Attachments);
                WriteOptions(writer, options);
            });
            var channel = options.Rooms.Count == 1 ? $"{_channelPrefix}{options.Rooms.First()}#" : _channelPrefix;
            Publish(RedisChannel.Literal(channel), message);
        }
        base.Broadcast(packet, options);
    }

    private void OnBroadcast(string channel, RedisValue message)
    {
        var room = channel.Length > _channelPrefix.Length ? channel[_channelPrefix.Length..^1] : "";
        if (room.Length > 0 && !HasLocalRoom(room))
        {
            return;
        }
        var reader = new MessagePackReader((byte[])message!);
        if (reader.TryReadArrayHeader() != 3 || reader.ReadString() == Uid)
        {
            return;
        }
        if (!TryReadPacket(ref reader, out var nsp, out var type, out var ackId, out var payload, out var attachments)
            || nsp != Namespace.Name)
        {
            return;
        }
        var options = ReadOptions(ref reader);
        base.Broadcast(SocketIOPacketWriter.WriteRaw(type, Namespace.Name, ackId, payload, attachments), options);
    }

    // ---- cluster requests made here ----

    /// <inheritdoc/>
    public override async Task<IReadOnlyList<EventArguments>> BroadcastWithAckAsync(string eventName, object?[] args,
        BroadcastOptions options, TimeSpan timeout)
    {
        var local = base.BroadcastWithAckAsync(eventName, args, options, timeout);
        var servers = await ServerCountAsync();
        if (servers <= 1)
        {
            return await local;
        }
        var requestId = NewId();
        var pending = new PendingAckRequest(servers - 1);
        _ackRequests[requestId] = pending;
        try
        {
            var encoded = SocketIOPacketWriter.WriteEvent(Namespace.Name, eventName, args, -1, Namespace.SerializerOptions);
            if (TryDecodeOutgoing(encoded, out var type, out _, out var payload))
            {
                Publish(_requestChannel, Encode(writer =>
                {
                    writer.WriteMapHeader(5);
                    writer.WriteString("uid");
                    writer.WriteString(Uid);
                    writer.WriteString("requestId");
                    writer.WriteString(requestId);
                    writer.WriteString("type");
                    writer.WriteInteger((int)RequestType.Broadcast);
                    writer.WriteString("packet");
                    WritePacket(writer, type, -1, payload, encoded.Attachments);
                    writer.WriteString("opts");
                    writer.WriteMapHeader(3);
                    writer.WriteString("rooms");
                    WriteStringArray(writer, options.Rooms);
                    writer.WriteString("except");
                    WriteStringArray(writer, options.Except);
                    writer.WriteString("flags");
                    writer.WriteMapHeader(1);
                    writer.WriteString("timeout");
                    writer.WriteInteger((long)timeout.TotalMilliseconds);
                }));
            }
            var localAnswers = await local;
            var remoteAnswers = await pending.Completion.Task.WaitAsync(timeout, Namespace.TimeProvider);
            return [.. localAnswers, .. remoteAnswers];
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Not every client acknowledged event '{eventName}' within {timeout.TotalMilliseconds} ms.");
        }
        finally
        {
            _ackRequests.TryRemove(requestId, out _);
        }
    }

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
        var responses = await RequestAsync(RequestType.AllRooms, servers - 1, _ => { });
        foreach (var response in responses)
        {
            if (response.TryGetProperty("rooms", out var remote) && remote.ValueKind == JsonValueKind.Array)
            {
                rooms.UnionWith(remote.EnumerateArray().Select(r => r.ToString()));
            }
        }
        return rooms;
    }

    /// <inheritdoc/>
    public override async Task<IReadOnlyList<IGatewaySocket>> FetchSocketsAsync(BroadcastOptions options)
    {
        var sockets = new List<IGatewaySocket>(await base.FetchSocketsAsync(options));
        var servers = await ServerCountAsync();
        if (servers <= 1)
        {
            return sockets;
        }
        var responses = await RequestAsync(RequestType.RemoteFetch, servers - 1, json => WriteJsonOptions(json, options));
        foreach (var response in responses)
        {
            if (response.TryGetProperty("sockets", out var remote) && remote.ValueKind == JsonValueKind.Array)
            {
                sockets.AddRange(remote.EnumerateArray().Select(s => new RemoteGatewaySocket(s, Namespace)));
            }
        }
        return sockets;
    }

    /// <inheritdoc/>
    public override void AddSockets(BroadcastOptions options, IReadOnlyCollection<string> rooms)
    {
        PublishCommand(RequestType.RemoteJoin, json =>
        {
            WriteJsonOptions(json, options);
            WriteStrings(json, "rooms", rooms);
        });
        base.AddSockets(options, rooms);
    }

    /// <inheritdoc/>
    public override void DelSockets(BroadcastOptions options, IReadOnlyCollection<string> rooms)
    {
        PublishCommand(RequestType.RemoteLeave, json =>
        {
            WriteJsonOptions(json, options);
            WriteStrings(json, "rooms", rooms);
        });
        base.DelSockets(options, rooms);
    }

    /// <inheritdoc/>
    public override void DisconnectSockets(BroadcastOptions options, bool close)
    {
        PublishCommand(RequestType.RemoteDisconnect, json =>
        {
            WriteJsonOptions(json, options);
            json.WriteBoolean("close", close);
        });
        base.DisconnectSockets(options, close);
    }

    /// <summary>How many servers share this namespace: the subscribers of its request channel.</summary>
    public async Task<int> ServerCountAsync()
    {
        try
        {
            var result = await _redis.Database.ExecuteAsync("PUBSUB", "NUMSUB", (string)_requestChannel!);
            var values = (RedisResult[])result!;
            return values.Length == 2 ? (int)values[1] : 1;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            RedisAdapterLog.Unreachable(_logger, ex.Message);
            return 1;
        }
    }

    private async Task<List<JsonElement>> RequestAsync(RequestType type, int expected, Action<Utf8JsonWriter> body)
    {
        var requestId = NewId();
        var pending = new PendingRequest(expected);
        _requests[requestId] = pending;
        try
        {
            Publish(_requestChannel, Json(json =>
            {
                json.WriteString("uid", Uid);
                json.WriteString("requestId", requestId);
                json.WriteNumber("type", (int)type);
                body(json);
            }));
            return await pending.Completion.Task.WaitAsync(_options.RequestsTimeout, Namespace.TimeProvider);
        }
        catch (TimeoutException)
        {
            RedisAdapterLog.RequestTimedOut(_logger, type.ToString(), pending.Count, expected);
            throw new TimeoutException($"Timed out waiting for '{type}' answers: {pending.Count} of {expected} servers answered.");
        }
        finally
        {
            _requests.TryRemove(requestId, out _);
        }
    }

    private void PublishCommand(RequestType type, Action<Utf8JsonWriter> body) =>
        Publish(_requestChannel, Json(json =>
        {
            json.WriteString("uid", Uid);
            json.WriteNumber("type", (int)type);
            body(json);
        }));

    private void OnResponse(RedisValue message)
    {
        var response = ParseMessage((byte[])message!, out var attachments);
        if (!response.TryGetProperty("requestId", out var id) || id.GetString() is not { } requestId)
        {
            return;
        }
        if (_ackRequests.TryGetValue(requestId, out var acks))
        {
            var type = response.TryGetProperty("type", out var t) && t.TryGetInt32(out var value) ? (RequestType)value : default;
            if (type == RequestType.BroadcastClientCount && response.TryGetProperty("clientCount", out var count))
            {
                acks.AddClientCount(count.GetInt32());
            }
            else if (type == RequestType.BroadcastAck)
            {
                var answer = response.TryGetProperty("packet", out var packet) ? "[" + packet.GetRawText() + "]" : "[]";
                SocketIOPayloadReader.TryReadArguments(Encoding.UTF8.GetBytes(answer), attachments, Namespace.SerializerOptions, out var arguments);
                acks.AddAnswer(arguments);
            }
            return;
        }
        if (_requests.TryGetValue(requestId, out var pending))
        {
            pending.Add(response);
        }
    }

    // ---- cluster requests from other servers ----

    private void OnRequest(RedisValue message)
    {
        var request = ParseMessage((byte[])message!, out var attachments);
        if (!request.TryGetProperty("type", out var typeElement) || !typeElement.TryGetInt32(out var typeValue))
        {
            return;
        }
        var uid = request.TryGetProperty("uid", out var u) ? u.GetString() : null;
        var requestId = request.TryGetProperty("requestId", out var r) ? r.GetString() : null;
        if (uid == Uid || (requestId is not null && (_requests.ContainsKey(requestId) || _ackRequests.ContainsKey(requestId))))
        {
            return;
        }
        var type = (RequestType)typeValue;
        switch (type)
        {
            case RequestType.Sockets:
                var ids = LocalSocketIds(ReadOptions(request));
                Respond(uid, json => { json.WriteString("requestId", requestId); WriteStrings(json, "sockets", ids); });
                break;
            case RequestType.AllRooms:
                var rooms = base.AllRoomsAsync().Result;
                Respond(uid, json => { json.WriteString("requestId", requestId); WriteStrings(json, "rooms", rooms); });
                break;
            case RequestType.RemoteJoin or RequestType.RemoteLeave or RequestType.RemoteDisconnect:
                OnRemoteCommand(type, request, uid, requestId);
                break;
            case RequestType.RemoteFetch:
                var sockets = base.FetchSocketsAsync(ReadOptions(request)).Result;
                Respond(uid, json =>
                {
                    json.WriteString("requestId", requestId);
                    json.WriteStartArray("sockets");
                    foreach (var socket in sockets)
                    {
                        RemoteGatewaySocket.Write(json, socket);
                    }
                    json.WriteEndArray();
                });
                break;
            case RequestType.ServerSideEmit when requestId is not null:
                // No server-side listeners here: answer anyway, so the emitting server does not wait for its timeout.
                Publish(_responseChannel, Json(json =>
                {
                    json.WriteNumber("type", (int)RequestType.ServerSideEmit);
                    json.WriteString("requestId", requestId);
                    json.WriteNull("data");
                }));
                break;
            case RequestType.Broadcast when requestId is not null:
                _ = OnBroadcastWithAckAsync(request, attachments, uid, requestId);
                break;
        }
    }

    private void OnRemoteCommand(RequestType type, JsonElement request, string? uid, string? requestId)
    {
        if (request.TryGetProperty("opts", out _))
        {
            var options = ReadOptions(request);
            var rooms = request.TryGetProperty("rooms", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(e => e.ToString()).ToArray()
                : [];
            var close = request.TryGetProperty("close", out var c) && c.ValueKind == JsonValueKind.True;
            switch (type)
            {
                case RequestType.RemoteJoin: base.AddSockets(options, rooms); break;
                case RequestType.RemoteLeave: base.DelSockets(options, rooms); break;
                default: base.DisconnectSockets(options, close); break;
            }
            return;
        }
        // The older form names one socket: answered only by the server that has it.
        var sid = request.TryGetProperty("sid", out var s) ? s.GetString() : null;
        if (sid is null || !Namespace.TryGetLocalSocket(sid, out var socket))
        {
            return;
        }
        var room = request.TryGetProperty("room", out var roomElement) ? roomElement.GetString() : null;
        switch (type)
        {
            case RequestType.RemoteJoin when room is not null: socket.Join(room); break;
            case RequestType.RemoteLeave when room is not null: socket.Leave(room); break;
            case RequestType.RemoteDisconnect: socket.Disconnect(request.TryGetProperty("close", out var c2) && c2.ValueKind == JsonValueKind.True); break;
        }
        Respond(uid, json => json.WriteString("requestId", requestId));
    }

    /// <summary>Another server broadcasts with acknowledgements: tell it how many local clients will answer, then
    /// relay each answer.</summary>
    private async Task OnBroadcastWithAckAsync(JsonElement request, List<ReadOnlyMemory<byte>> attachments, string? uid, string requestId)
    {
        if (!request.TryGetProperty("packet", out var packet) || !packet.TryGetProperty("data", out var data))
        {
            return;
        }
        var options = ReadOptions(request);
        var timeout = request.TryGetProperty("opts", out var opts) && opts.TryGetProperty("flags", out var flags)
            && flags.TryGetProperty("timeout", out var t) && t.TryGetDouble(out var ms) ? TimeSpan.FromMilliseconds(ms) : _options.RequestsTimeout;
        var targets = await base.FetchSocketsAsync(options);
        Respond(uid, json =>
        {
            json.WriteNumber("type", (int)RequestType.BroadcastClientCount);
            json.WriteString("requestId", requestId);
            json.WriteNumber("clientCount", targets.Count);
        });
        var ackId = Namespace.NextAckId();
        var encoded = SocketIOPacketWriter.WriteRaw(SocketIOPacketType.Event, Namespace.Name, ackId,
            Encoding.UTF8.GetBytes(data.GetRawText()), attachments.Count > 0 ? [.. attachments] : null);
        var eventName = data.ValueKind == JsonValueKind.Array && data.GetArrayLength() > 0 ? data[0].ToString() : "";
        await Task.WhenAll(targets.OfType<GatewaySocket>().Select(async socket =>
        {
            try
            {
                var answer = await socket.SendWithAckAsync(encoded, ackId, eventName, timeout);
                var message = Encode(writer =>
                {
                    writer.WriteMapHeader(3);
                    writer.WriteString("type");
                    writer.WriteInteger((int)RequestType.BroadcastAck);
                    writer.WriteString("requestId");
                    writer.WriteString(requestId);
                    writer.WriteString("packet");
                    if (answer.Count == 0)
                    {
                        writer.WriteNil();
                    }
                    else
                    {
                        writer.WriteJson(answer.GetJson(0), answer.Attachments);
                    }
                });
                Publish(ResponseChannelFor(uid), message);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                // A client that does not answer in time is simply not counted, as in socket.io.
            }
        }));
    }

    private void Respond(string? uid, Action<Utf8JsonWriter> body) => Publish(ResponseChannelFor(uid), Json(body));

    private RedisChannel ResponseChannelFor(string? uid) =>
        _options.PublishOnSpecificResponseChannel && uid is not null ? RedisChannel.Literal($"{_responsePrefix}{uid}#") : _responseChannel;

    // ---- encoding ----

    /// <summary>Splits our encoded frame back into type, ack id and JSON payload, to re-encode it as socket.io's packet
    /// object. Only broadcasts that leave this server pay for it.</summary>
    private bool TryDecodeOutgoing(EncodedPacket packet, out SocketIOPacketType type, out long ackId, out ReadOnlyMemory<byte> payload)
    {
        type = default;
        ackId = -1;
        payload = default;
        if (!SocketIOPacketParser.TryParse(packet.Text.AsMemory(1), _names, out var parsed, out _))
        {
            return false;
        }
        type = parsed.Type is SocketIOPacketType.BinaryEvent ? SocketIOPacketType.Event : parsed.Type;
        ackId = parsed.AckId;
        payload = parsed.Payload;
        return true;
    }

    private void WritePacket(MessagePackWriter writer, SocketIOPacketType type, long ackId, ReadOnlyMemory<byte> payload,
        ReadOnlyMemory<byte>[]? attachments)
    {
        writer.WriteMapHeader(ackId >= 0 ? 4 : 3);
        writer.WriteString("type");
        writer.WriteInteger((int)type);
        writer.WriteString("data");
        writer.WriteJson(JsonElement.Parse(payload.Span), attachments ?? []);
        writer.WriteString("nsp");
        writer.WriteString(Namespace.Name);
        if (ackId >= 0)
        {
            writer.WriteString("id");
            writer.WriteInteger(ackId);
        }
    }

    private static void WriteOptions(MessagePackWriter writer, BroadcastOptions options)
    {
        writer.WriteMapHeader(3);
        writer.WriteString("rooms");
        WriteStringArray(writer, options.Rooms);
        writer.WriteString("except");
        WriteStringArray(writer, options.Except);
        writer.WriteString("flags");
        writer.WriteMapHeader(0);
    }

    private static void WriteStringArray(MessagePackWriter writer, IReadOnlyCollection<string> values)
    {
        writer.WriteArrayHeader(values.Count);
        foreach (var value in values)
        {
            writer.WriteString(value);
        }
    }

    /// <summary>Reads socket.io's packet object <c>{type, data, nsp, id?}</c>; Buffers in <c>data</c> become
    /// attachments with placeholders, as our encoder writes them.</summary>
    private static bool TryReadPacket(ref MessagePackReader reader, out string nsp, out SocketIOPacketType type, out long ackId,
        out byte[] payload, out ReadOnlyMemory<byte>[]? attachments)
    {
        var found = new List<ReadOnlyMemory<byte>>();
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            reader.ReadAsJson(json, found);
        }
        var packet = JsonElement.Parse(buffer.WrittenSpan);
        nsp = packet.TryGetProperty("nsp", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "/";
        type = packet.TryGetProperty("type", out var t) && t.TryGetInt32(out var typeValue) ? (SocketIOPacketType)typeValue : SocketIOPacketType.Event;
        type = type switch
        {
            SocketIOPacketType.BinaryEvent => SocketIOPacketType.Event,
            SocketIOPacketType.BinaryAck => SocketIOPacketType.Ack,
            _ => type,
        };
        ackId = packet.TryGetProperty("id", out var id) && id.TryGetInt64(out var idValue) ? idValue : -1;
        attachments = found.Count > 0 ? [.. found] : null;
        if (!packet.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            payload = [];
            return false;
        }
        payload = Encoding.UTF8.GetBytes(data.GetRawText());
        return true;
    }

    private BroadcastOptions ReadOptions(ref MessagePackReader reader)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            reader.ReadAsJson(json, []);
        }
        return ToOptions(JsonElement.Parse(buffer.WrittenSpan));
    }

    private static BroadcastOptions ReadOptions(JsonElement request) =>
        request.TryGetProperty("opts", out var opts) ? ToOptions(opts)
        : request.TryGetProperty("rooms", out _) ? ToOptions(request)
        : BroadcastOptions.All;

    private static BroadcastOptions ToOptions(JsonElement opts)
    {
        static HashSet<string> Set(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
                ? new HashSet<string>(list.EnumerateArray().Select(e => e.ToString()), StringComparer.Ordinal)
                : new HashSet<string>(StringComparer.Ordinal);
        return new BroadcastOptions(Set(opts, "rooms"), Set(opts, "except"));
    }

    private static void WriteJsonOptions(Utf8JsonWriter json, BroadcastOptions options)
    {
        json.WriteStartObject("opts");
        WriteStrings(json, "rooms", options.Rooms);
        WriteStrings(json, "except", options.Except);
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }

    /// <summary>Requests and responses are JSON, or MessagePack when they carry binary (the Node adapter tells them
    /// apart by a leading '{'); both end up as JSON here, binary as placeholders.</summary>
    private static JsonElement ParseMessage(byte[] message, out List<ReadOnlyMemory<byte>> attachments)
    {
        attachments = [];
        if (message.Length > 0 && message[0] == (byte)'{')
        {
            return JsonElement.Parse(message);
        }
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            var reader = new MessagePackReader(message);
            reader.ReadAsJson(json, attachments);
        }
        return JsonElement.Parse(buffer.WrittenSpan);
    }

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Encode(Action<MessagePackWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        body(new MessagePackWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }

    private void Publish(RedisChannel channel, byte[] message)
    {
        try
        {
            _redis.Subscriber.Publish(channel, message, CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // At-most-once across servers: while Redis is away, remote delivery is dropped, local delivery goes on.
            RedisAdapterLog.Unreachable(_logger, ex.Message);
        }
    }

    private void Guard(Action work)
    {
        try
        {
            work();
        }
        catch (Exception ex)
        {
            RedisAdapterLog.BadMessage(_logger, Namespace.Name, ex);
        }
    }

    private string[] LocalSocketIds(BroadcastOptions options) =>
        [.. base.FetchSocketsAsync(options).Result.Select(s => s.Id)];

    private static string NewId()
    {
        Span<byte> random = stackalloc byte[6];
        RandomNumberGenerator.Fill(random);
        return Convert.ToHexStringLower(random)[..6];
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _redis.Restored -= Subscribe;
        var subscriber = _redis.Subscriber;
        subscriber.Unsubscribe(_pattern, null, CommandFlags.FireAndForget);
        subscriber.Unsubscribe(_requestChannel, null, CommandFlags.FireAndForget);
        subscriber.Unsubscribe(_responseChannel, null, CommandFlags.FireAndForget);
        subscriber.Unsubscribe(_specificResponseChannel, null, CommandFlags.FireAndForget);
    }

    private sealed class PendingRequest(int expected)
    {
        private readonly List<JsonElement> _responses = [];

        public TaskCompletionSource<List<JsonElement>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count
        {
            get
            {
                lock (_responses)
                {
                    return _responses.Count;
                }
            }
        }

        public void Add(JsonElement response)
        {
            lock (_responses)
            {
                _responses.Add(response);
                if (_responses.Count >= expected)
                {
                    Completion.TrySetResult([.. _responses]);
                }
            }
        }
    }

    /// <summary>A broadcast with acknowledgements to other servers: done when every server said how many of its clients
    /// were targeted and that many answers arrived.</summary>
    private sealed class PendingAckRequest(int servers)
    {
        private readonly List<EventArguments> _answers = [];
        private int _serversCounted;
        private int _expected;

        public TaskCompletionSource<List<EventArguments>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void AddClientCount(int count)
        {
            lock (_answers)
            {
                _serversCounted++;
                _expected += count;
                TryComplete();
            }
        }

        public void AddAnswer(EventArguments answer)
        {
            lock (_answers)
            {
                _answers.Add(answer);
                TryComplete();
            }
        }

        private void TryComplete()
        {
            if (_serversCounted >= servers && _answers.Count >= _expected)
            {
                Completion.TrySetResult([.. _answers]);
            }
        }
    }
}
