using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Gateways.SocketIO;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateways.Adapters.Redis;

/// <summary>
/// The adapter of one namespace across a cluster on a Redis stream, speaking the protocol of Node's
/// <c>@socket.io/redis-streams-adapter</c> 0.3 (socket.io-adapter's <c>ClusterAdapter</c> messages): broadcasts and
/// room commands are stream entries <c>{uid, nsp, type, data}</c> (<c>data</c> JSON, or base64 MessagePack when it
/// holds binary), added with <c>XADD … MAXLEN ~</c> and read by every server with <c>XREAD</c>; requests go as
/// MessagePack over pub/sub on <c>{key}#{nsp}#</c> and answers to the asker's <c>{key}#{nsp}#{uid}#</c>.
/// With connection state recovery on, it is the namespace's <see cref="IGatewaySessionStore"/>: the entry id of each
/// broadcast is its offset, sessions are kept under <c>{SessionKeyPrefix}{pid}</c> for the recovery window, and a
/// client that reconnects to any server, .NET or Node, gets its session and the entries it missed.
/// </summary>
public sealed class RedisStreamsGatewayAdapter : ClusterMessageAdapter, IGatewaySessionStore
{
    // Stored events wait for Redis to take them (then the reader delivers them) or refuse them (then they go out
    // here); past this many waiting, they go out at once without an offset, so a slow Redis cannot grow the queue.
    private const int MaxWaitingBroadcasts = 10_000;
    private const int RestorePageSize = 500;

    private readonly RedisChannel _publicChannel;
    private readonly string _channelPrefix;
    private readonly RedisKey _stream;
    private readonly RedisStreamReader _reader;
    private readonly Channel<(Task<RedisResult> Added, OutgoingPacket Packet, BroadcastOptions Options)> _waiting =
        Channel.CreateUnbounded<(Task<RedisResult>, OutgoingPacket, BroadcastOptions)>(new UnboundedChannelOptions { SingleReader = true });
    private int _waitingCount;
    // Cluster-wide expiry: every kept session's deadline in a sorted set and its record in a hash, per namespace;
    // whichever server removes a member first (ZREM answers 1 once) tells its app — or restores the session.
    private readonly RedisKey _expiryIndex;
    private readonly RedisKey _expiryRecords;
    private readonly ITimer? _expirySweep;
    private int _sweeping;

    /// <summary>Creates the adapter of the namespace of <paramref name="context"/>, subscribes its channels and starts
    /// reading its stream.</summary>
    /// <param name="context">The namespace, as the runtime shows it to adapters.</param>
    /// <param name="redis">The shared Redis connection.</param>
    /// <param name="options">The adapter settings.</param>
    /// <param name="logger">The logger.</param>
    public RedisStreamsGatewayAdapter(IGatewayAdapterContext context, RedisAdapterConnection redis, RedisAdapterOptions options, ILogger logger)
        : base(context, redis, options, logger)
    {
        _channelPrefix = $"{options.Key}#{context.Namespace}#";
        _publicChannel = RedisChannel.Literal(_channelPrefix);
        var streamName = StreamName(context.Namespace, options);
        _stream = streamName;
        Action<RedisChannel, RedisValue> handler = (_, message) =>
            Guard(() => OnClusterMessage(RedisWire.Parse((byte[])message!, out var attachments), attachments));
        Channels = [(_publicChannel, handler), (RedisChannel.Literal($"{_channelPrefix}{Uid}#"), handler)];
        StartSubscriptions();
        _reader = redis.Stream(streamName, options.StreamReadCount);
        _reader.Register(context.Namespace, entry => Guard(() => OnEntry(entry)));
        _ = DeliverRefusedAsync();
        _expiryIndex = $"{options.SessionKeyPrefix}expiring#{streamName}#{context.Namespace}";
        _expiryRecords = $"{options.SessionKeyPrefix}expiring-records#{streamName}#{context.Namespace}";
        if (context.ConnectionStateRecovery is { } recovery)
        {
            var period = recovery.MaxDisconnectionDuration < TimeSpan.FromSeconds(30) ? recovery.MaxDisconnectionDuration : TimeSpan.FromSeconds(30);
            _expirySweep = context.TimeProvider.CreateTimer(static state => _ = ((RedisStreamsGatewayAdapter)state!).SweepExpiredAsync(),
                this, period, period);
        }
    }

    /// <summary>Node's stream of a namespace: one stream, or with several the namespace's Java-style string hash
    /// (32-bit, sign kept) modulo their count.</summary>
    internal static string StreamName(string @namespace, RedisAdapterOptions options)
    {
        if (options.StreamCount <= 1)
        {
            return options.StreamName;
        }
        var hash = 0;
        foreach (var c in @namespace)
        {
            hash = unchecked((hash * 31) + c);
        }
        return $"{options.StreamName}-{hash % options.StreamCount}";
    }

    /// <inheritdoc/>
    private protected override IReadOnlyList<(RedisChannel Channel, Action<RedisChannel, RedisValue> Handler)> Channels { get; }

    /// <inheritdoc/>
    public override Task<int> ServerCountAsync() => CountSubscribersAsync("NUMSUB", _publicChannel);

    // ---- publishing ----

    /// <inheritdoc/>
    /// <remarks>With recovery on, an event to be stored reaches this server's sockets as every other server's do:
    /// when the stream is read back, in stream order, with its entry id as its offset — so each client sees offsets
    /// only grow and the one it reconnects with is the newest it has. Only while Redis refuses it does it go out at
    /// once, without an offset.</remarks>
    public override void Broadcast(OutgoingPacket packet, BroadcastOptions options)
    {
        if (options.IsLocal)
        {
            base.Broadcast(packet, options); // this server's sockets only (socket.io's local flag)
            return;
        }
        // Refused at the sender before anything is added.
        if (!IsDeliverable(packet))
        {
            return;
        }
        var packetJson = PacketJson(packet.Type, packet.AckId, packet.Payload.Span);
        var added = Add(MessageType.Broadcast, json => WriteBroadcast(json, packetJson, options), packet.Attachments);
        if (!IsStored(packet, options))
        {
            base.Broadcast(packet, options);
            return;
        }
        if (Interlocked.Increment(ref _waitingCount) > MaxWaitingBroadcasts)
        {
            Interlocked.Decrement(ref _waitingCount);
            base.Broadcast(packet, options);
            return;
        }
        _waiting.Writer.TryWrite((added, packet, options));
    }

    /// <summary>Delivers locally, in the order of the calls, the stored events Redis would not take.</summary>
    private async Task DeliverRefusedAsync()
    {
        await foreach (var (added, packet, options) in _waiting.Reader.ReadAllAsync())
        {
            Interlocked.Decrement(ref _waitingCount);
            try
            {
                await added;
                continue; // in the stream: the reader delivers it
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                // Redis away: the other servers miss it, the local targets still get it (without an offset).
            }
            try
            {
                base.Broadcast(packet, options);
            }
            catch (Exception ex)
            {
                RedisAdapterLog.BadMessage(Logger, Context.Namespace, ex);
            }
        }
    }

    /// <summary>Adds a message to the stream; the task gives its entry id (its offset).</summary>
    private Task<RedisResult> Add(MessageType type, Action<Utf8JsonWriter> data, IReadOnlyList<ReadOnlyMemory<byte>>? attachments)
    {
        var dataJson = RedisWire.Json(data);
        // Node's encode: JSON text, or MessagePack in base64 when the data holds binary.
        string field = attachments is { Count: > 0 }
            ? Convert.ToBase64String(RedisWire.ToMessagePack(dataJson, attachments))
            : System.Text.Encoding.UTF8.GetString(dataJson);
        Task<RedisResult> added;
        try
        {
            added = Redis.Database.ExecuteAsync("XADD", _stream, "MAXLEN", "~", Options.StreamMaxLength, "*",
                "uid", Uid, "nsp", Context.Namespace, "type", ((int)type).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "data", field);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            added = Task.FromException<RedisResult>(ex);
        }
        _ = ObserveAsync(added);
        return added;
    }

    private async Task ObserveAsync(Task<RedisResult> added)
    {
        try
        {
            var id = await added;
            _reader.Observe((string)id!);
            Internal.GatewaysMetrics.AdapterPublished(published: true);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Internal.GatewaysMetrics.AdapterPublished(published: false);
            RedisAdapterLog.Unreachable(Logger, ex.Message);
        }
    }

    /// <inheritdoc/>
    /// <remarks>As in Node's streams adapter, only this server's rooms: the cluster protocol has no request for it.</remarks>
    public override Task<IReadOnlyCollection<string>> AllRoomsAsync() => base.AllRoomsAsync();

    // Node's isEphemeral: requests (broadcasts with acknowledgements, server-side emits, fetches) go over pub/sub;
    // room commands are stored in the stream like broadcasts.
    private protected override void PublishMessage(MessageType type, Action<Utf8JsonWriter> data, IReadOnlyList<ReadOnlyMemory<byte>>? attachments)
    {
        if (type is MessageType.SocketsJoin or MessageType.SocketsLeave or MessageType.DisconnectSockets)
        {
            _ = Add(type, data, attachments);
            return;
        }
        Publish(_publicChannel, RedisWire.ToMessagePack(Envelope(type, data), attachments ?? []));
    }

    private protected override void PublishResponse(string requesterUid, MessageType type, Action<Utf8JsonWriter> data,
        IReadOnlyList<ReadOnlyMemory<byte>>? attachments) =>
        Publish(RedisChannel.Literal($"{_channelPrefix}{requesterUid}#"), RedisWire.ToMessagePack(Envelope(type, data), attachments ?? []));

    // ---- reading the stream ----

    private void OnEntry(StreamEntry entry)
    {
        if (!TryDecode(entry, out var message, out var attachments))
        {
            return;
        }
        if (RedisWire.ReadString(message, "uid") != Uid)
        {
            OnClusterMessage(message, attachments, entry.Id);
        }
        else if (Context.ConnectionStateRecovery is not null && RedisWire.ReadString(message, "type") == "3"
            && message.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty("packet", out var packet))
        {
            // This server's own stored event, read back in stream order (see Broadcast); the others went out already.
            DeliverLocally(packet, attachments, data.TryGetProperty("opts", out var opts) ? RedisWire.ReadOptions(opts) : BroadcastOptions.All,
                entry.Id, onlyIfStored: true);
        }
    }

    /// <summary>Reads an entry back into the message envelope (Node's <c>decode</c>).</summary>
    private static bool TryDecode(StreamEntry entry, out JsonElement message, out List<ReadOnlyMemory<byte>> attachments)
    {
        attachments = [];
        message = default;
        if (!entry.Fields.TryGetValue("uid", out var uid) || !entry.Fields.TryGetValue("type", out var type))
        {
            return false;
        }
        JsonElement? data = null;
        if (entry.Fields.TryGetValue("data", out var rawData) && !rawData.IsNullOrEmpty)
        {
            var text = (string)rawData!;
            data = text.StartsWith('{') ? JsonElement.Parse(text) : RedisWire.Parse(Convert.FromBase64String(text), out attachments);
        }
        message = JsonElement.Parse(RedisWire.Json(json =>
        {
            json.WriteString("uid", (string)uid!);
            json.WriteString("nsp", (string?)entry.Fields.GetValueOrDefault("nsp"));
            json.WriteString("type", (string)type!);
            if (data is { } value)
            {
                json.WritePropertyName("data");
                value.WriteTo(json);
            }
        }));
        return true;
    }

    private protected override void OnBroadcast(JsonElement packet, List<ReadOnlyMemory<byte>> attachments, BroadcastOptions options,
        string? offset) => DeliverLocally(packet, attachments, options, offset);

    // ---- connection state recovery ----

    /// <inheritdoc/>
    public string? CurrentOffset => _reader.LastId;

    /// <inheritdoc/>
    /// <remarks>Node's key with the window as its TTL, and this namespace's expiry index: three commands, not one
    /// transaction, since on a Redis Cluster the keys live in different slots.</remarks>
    public Task PersistSessionAsync(GatewaySessionRecord session)
    {
        var window = Context.ConnectionStateRecovery?.MaxDisconnectionDuration ?? TimeSpan.Zero;
        var record = Convert.ToBase64String(RedisWire.ToMessagePack(RedisWire.Json(json => WriteSession(json, session)), []));
        var database = Redis.Database;
        return Task.WhenAll(
            database.HashSetAsync(_expiryRecords, session.PrivateId, record),
            database.SortedSetAddAsync(_expiryIndex, session.PrivateId, (session.DisconnectedAt + window).ToUnixTimeMilliseconds()),
            database.StringSetAsync(Options.SessionKeyPrefix + session.PrivateId, record, window));
    }

    /// <summary>Tells the app of the sessions past their window that nobody restored: each claimed by one server.</summary>
    private async Task SweepExpiredAsync()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }
        try
        {
            var database = Redis.Database;
            var now = Context.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var pid in await database.SortedSetRangeByScoreAsync(_expiryIndex, double.NegativeInfinity, now, take: 100))
            {
                if (!await database.SortedSetRemoveAsync(_expiryIndex, pid))
                {
                    continue; // another server claimed it, or its client came back
                }
                var record = await database.HashGetAsync(_expiryRecords, pid);
                _ = database.HashDeleteAsync(_expiryRecords, pid, CommandFlags.FireAndForget);
                if (!record.IsNullOrEmpty)
                {
                    Context.ReportSessionExpired(ReadSession(RedisWire.Parse(Convert.FromBase64String((string)record!), out _), (string)pid!));
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or FormatException)
        {
            // Redis away (its outage is logged once by the connection): the next sweep tries again.
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    /// <summary>Node's session record <c>{sid, pid, rooms, data}</c>, and what only .NET servers read under <c>gateways</c>.</summary>
    private void WriteSession(Utf8JsonWriter json, GatewaySessionRecord session)
    {
        json.WriteString("sid", session.SocketId);
        json.WriteString("pid", session.PrivateId);
        RedisWire.WriteStrings(json, "rooms", session.Rooms);
        json.WriteStartObject("data");
        foreach (var (key, value) in session.Items)
        {
            json.WritePropertyName(key);
            SocketIOPacketWriter.WriteValue(json, value, Context.SerializerOptions);
        }
        json.WriteEndObject();
        json.WriteStartObject("gateways");
        if (session.UserId is { } userId)
        {
            json.WriteString("userId", userId);
        }
        if (session.TokenExpiresAt is { } expires)
        {
            json.WriteNumber("tokenExpiresAt", expires.ToUnixTimeMilliseconds());
        }
        if (session.ConnectedAtOffset is { } connectedAt)
        {
            json.WriteString("connectedAt", connectedAt);
        }
        json.WriteNumber("disconnectedAt", session.DisconnectedAt.ToUnixTimeMilliseconds());
        json.WriteEndObject();
    }

    /// <inheritdoc/>
    public async Task<GatewayRestoredSession?> RestoreSessionAsync(string privateId, string? offset)
    {
        if (offset is not null && !StreamEntry.IsId(offset))
        {
            return null;
        }
        var database = Redis.Database;
        // Taken once: a second client with the same pid finds nothing.
        var raw = await database.StringGetDeleteAsync(Options.SessionKeyPrefix + privateId);
        if (raw.IsNullOrEmpty)
        {
            return null;
        }
        var record = RedisWire.Parse(Convert.FromBase64String((string)raw!), out _);
        var session = ReadSession(record, privateId);
        // A session a .NET server kept is in the expiry index: taking it out is the claim; if a sweep took it first,
        // it has expired (and the app was told).
        if (record.TryGetProperty("gateways", out _))
        {
            var claimed = await database.SortedSetRemoveAsync(_expiryIndex, privateId);
            _ = database.HashDeleteAsync(_expiryRecords, privateId, CommandFlags.FireAndForget);
            if (!claimed)
            {
                return null;
            }
        }
        offset ??= session.ConnectedAtOffset;
        if (offset is null || session.TokenExpiresAt <= Context.TimeProvider.GetUtcNow())
        {
            return null;
        }
        // The client's offset must still be in the stream, or what came after it may have been trimmed.
        if (offset != "0-0" && ((RedisResult[])(await database.ExecuteAsync("XRANGE", _stream, offset, offset))!).Length == 0)
        {
            return null;
        }
        var missed = await ReadAfterAsync(database, offset, session.Rooms);
        return missed is null ? null : new GatewayRestoredSession(session, missed);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<OutgoingPacket>> ReadEventsAfterAsync(string offset, IReadOnlyList<string> rooms) =>
        StreamEntry.IsId(offset) ? await ReadAfterAsync(Redis.Database, offset, rooms) ?? [] : [];

    /// <summary>The entries after <paramref name="offset"/> for <paramref name="rooms"/>, read in pages; null past
    /// <see cref="Hosting.ConnectionStateRecoveryOptions.MaxStoredPackets"/> of them (more than recovery may hold:
    /// the client starts afresh rather than half-recovered).</summary>
    private async Task<List<OutgoingPacket>?> ReadAfterAsync(IDatabase database, string offset, IReadOnlyList<string> rooms)
    {
        var limit = Context.ConnectionStateRecovery?.MaxStoredPackets ?? 10_000;
        var missed = new List<OutgoingPacket>();
        var after = offset;
        while (true)
        {
            var page = (RedisResult[])(await database.ExecuteAsync("XRANGE", _stream, "(" + after, "+", "COUNT", RestorePageSize))!;
            foreach (var raw in page)
            {
                var entry = StreamEntry.Parse(raw);
                after = entry.Id;
                if (MissedPacket(entry, rooms) is { } packet)
                {
                    if (missed.Count == limit)
                    {
                        return null;
                    }
                    missed.Add(packet);
                }
            }
            if (page.Length < RestorePageSize)
            {
                return missed;
            }
        }
    }

    private GatewaySessionRecord ReadSession(JsonElement record, string privateId)
    {
        var items = new List<KeyValuePair<string, object?>>();
        if (record.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in data.EnumerateObject())
            {
                items.Add(new(property.Name, property.Value.Clone()));
            }
        }
        var ours = record.TryGetProperty("gateways", out var extra) ? extra : default;
        DateTimeOffset? FromMs(string name) => ours.ValueKind == JsonValueKind.Object && ours.TryGetProperty(name, out var ms) && ms.TryGetInt64(out var value)
            ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;
        return new GatewaySessionRecord(privateId, RedisWire.ReadString(record, "sid") ?? privateId, RedisWire.ReadStrings(record, "rooms"), items,
            RedisWire.ReadString(ours, "userId"), FromMs("tokenExpiresAt"), RedisWire.ReadString(ours, "connectedAt"),
            FromMs("disconnectedAt") ?? Context.TimeProvider.GetUtcNow());
    }

    /// <summary>A stored broadcast of this namespace meant for the session's rooms, stamped with its entry id.</summary>
    private OutgoingPacket? MissedPacket(StreamEntry entry, IReadOnlyList<string> rooms)
    {
        if ((string?)entry.Fields.GetValueOrDefault("nsp") != Context.Namespace || (string?)entry.Fields.GetValueOrDefault("type") != "3"
            || !TryDecode(entry, out var message, out var attachments) || !message.TryGetProperty("data", out var data)
            || data.ValueKind != JsonValueKind.Object || data.TryGetProperty("requestId", out _)
            || !data.TryGetProperty("packet", out var packet)
            || !RedisWire.TryReadPacket(packet, out var nsp, out var type, out var ackId, out var payload)
            || nsp != Context.Namespace || type != SocketIOPacketType.Event || ackId >= 0)
        {
            return null;
        }
        var targets = data.TryGetProperty("opts", out var opts) ? RedisWire.ReadOptions(opts) : BroadcastOptions.All;
        // socket.io's shouldIncludePacket: meant for everyone or one of the rooms, and none of the rooms excluded.
        if ((targets.Rooms.Count > 0 && !rooms.Any(targets.Rooms.Contains)) || rooms.Any(targets.Except.Contains))
        {
            return null;
        }
        try
        {
            return OutgoingPacket.Relayed(type, Context.Namespace, -1, payload, attachments.Count > 0 ? [.. attachments] : null).WithOffset(entry.Id);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _expirySweep?.Dispose();
        _reader.Unregister(Context.Namespace);
        _waiting.Writer.TryComplete();
        base.Dispose();
    }
}
