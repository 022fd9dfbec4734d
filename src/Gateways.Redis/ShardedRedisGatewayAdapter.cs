using System.Text.Json;
using Gateways.SocketIO;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateways.Adapters.Redis;

/// <summary>
/// The adapter of one namespace across a cluster on Redis 7 sharded pub/sub (<c>SPUBLISH</c>/<c>SSUBSCRIBE</c>),
/// speaking the protocol of Node's <c>createShardedAdapter</c> (<c>@socket.io/redis-adapter</c> 8.x over
/// socket.io-adapter's <c>ClusterAdapter</c>): every message is <c>{uid, nsp, type, data}</c> on
/// <c>{key}#{nsp}#</c>, answers go to the asker's <c>{key}#{nsp}#{uid}#</c>, and in the dynamic subscription modes a
/// broadcast to one room goes to <c>{key}#{nsp}#{room}#</c>, heard only by the servers that have the room. Sharded
/// channels spread over a Redis Cluster's shards; on a single Redis they work the same.
/// </summary>
public sealed class ShardedRedisGatewayAdapter : RedisClusterAdapter
{
    private enum MessageType
    {
        Broadcast = 3,
        SocketsJoin = 4,
        SocketsLeave = 5,
        DisconnectSockets = 6,
        FetchSockets = 7,
        FetchSocketsResponse = 8,
        ServerSideEmit = 9,
        ServerSideEmitResponse = 10,
        BroadcastClientCount = 11,
        BroadcastAck = 12,
    }

    private readonly string _channelPrefix;
    private readonly RedisChannel _channel;
    private readonly RedisChannel _responseChannel;
    private readonly Action<RedisChannel, RedisValue> _handler;

    /// <summary>Creates the adapter of the namespace of <paramref name="context"/> and subscribes its channels.</summary>
    /// <param name="context">The namespace, as the runtime shows it to adapters.</param>
    /// <param name="redis">The shared Redis connection.</param>
    /// <param name="options">The adapter settings.</param>
    /// <param name="logger">The logger.</param>
    public ShardedRedisGatewayAdapter(IGatewayAdapterContext context, RedisAdapterConnection redis, RedisAdapterOptions options, ILogger logger)
        : base(context, redis, options, logger, RedisWire.NewId(8))
    {
        _channelPrefix = $"{options.Key}#{context.Namespace}#";
        _channel = RedisChannel.Sharded(_channelPrefix);
        _responseChannel = RedisChannel.Sharded($"{_channelPrefix}{Uid}#");
        _handler = (channel, message) => Guard(() => OnRawMessage(channel, message));
        Channels = [(_channel, _handler), (_responseChannel, _handler)];
        StartSubscriptions();
    }

    /// <inheritdoc/>
    private protected override IReadOnlyList<(RedisChannel Channel, Action<RedisChannel, RedisValue> Handler)> Channels { get; }

    /// <inheritdoc/>
    public override Task<int> ServerCountAsync() => CountSubscribersAsync("SHARDNUMSUB", _channel);

    // ---- rooms with a channel of their own ----

    private bool HasOwnChannel(bool isSocketRoom) => Options.SubscriptionMode switch
    {
        ShardedSubscriptionMode.Dynamic => !isSocketRoom,
        ShardedSubscriptionMode.DynamicPrivate => true,
        _ => false,
    };

    /// <inheritdoc/>
    protected override void OnRoomCreated(string room, bool isSocketRoom)
    {
        if (HasOwnChannel(isSocketRoom))
        {
            // Under the adapter's lock: subscribe without waiting; Redis keeps the order of subscribe and unsubscribe.
            _ = SubscribeQuietlyAsync(RoomChannel(room));
        }
    }

    /// <inheritdoc/>
    protected override void OnRoomDeleted(string room, bool isSocketRoom)
    {
        if (HasOwnChannel(isSocketRoom))
        {
            _ = UnsubscribeQuietlyAsync(RoomChannel(room));
        }
    }

    private async Task SubscribeQuietlyAsync(RedisChannel channel)
    {
        try
        {
            await Redis.Subscriber.SubscribeAsync(channel, _handler);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            RedisAdapterLog.Unreachable(Logger, ex.Message);
        }
    }

    private async Task UnsubscribeQuietlyAsync(RedisChannel channel)
    {
        try
        {
            await Redis.Subscriber.UnsubscribeAsync(channel, _handler);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            RedisAdapterLog.Unreachable(Logger, ex.Message);
        }
    }

    private RedisChannel RoomChannel(string room) => RedisChannel.Sharded($"{_channelPrefix}{room}#");

    // ---- publishing ----

    /// <inheritdoc/>
    public override void Broadcast(OutgoingPacket packet, BroadcastOptions options)
    {
        // Refused at the sender before anything is published.
        if (!IsDeliverable(packet))
        {
            return;
        }
        var packetJson = PacketJson(packet.Type, packet.AckId, packet.Payload.Span);
        // Like Node: a broadcast to one room uses the room's channel, unless that room is a socket's own in the
        // "dynamic" mode (socket ids are 20 characters there too).
        var room = options.Rooms.Count == 1 ? options.Rooms.First() : null;
        var useRoomChannel = room is not null && Options.SubscriptionMode switch
        {
            ShardedSubscriptionMode.Dynamic => room.Length != 20,
            ShardedSubscriptionMode.DynamicPrivate => true,
            _ => false,
        };
        PublishMessage(MessageType.Broadcast, useRoomChannel ? RoomChannel(room!) : _channel, json =>
        {
            json.WritePropertyName("packet");
            json.WriteRawValue(packetJson, skipInputValidation: true);
            RedisWire.WriteOptions(json, "opts", options);
        }, packet.Attachments);
        base.Broadcast(packet, options);
    }

    /// <inheritdoc/>
    /// <remarks>As in Node's sharded adapter, only this server's rooms: the cluster protocol has no request for it.</remarks>
    public override Task<IReadOnlyCollection<string>> AllRoomsAsync() => base.AllRoomsAsync();

    private protected override void PublishFetch(string requestId, BroadcastOptions options) =>
        PublishMessage(MessageType.FetchSockets, _channel, json =>
        {
            RedisWire.WriteOptions(json, "opts", options);
            json.WriteString("requestId", requestId);
        });

    private protected override void PublishCommand(ClusterCommand command, Action<Utf8JsonWriter> body) =>
        PublishMessage(command switch
        {
            ClusterCommand.Join => MessageType.SocketsJoin,
            ClusterCommand.Leave => MessageType.SocketsLeave,
            _ => MessageType.DisconnectSockets,
        }, _channel, body);

    private protected override void PublishBroadcastWithAck(string requestId, byte[] packet, IReadOnlyList<ReadOnlyMemory<byte>>? attachments,
        BroadcastOptions options, TimeSpan timeout) =>
        // Never a room's channel: every server must answer with its client count.
        PublishMessage(MessageType.Broadcast, _channel, json =>
        {
            json.WritePropertyName("packet");
            json.WriteRawValue(packet, skipInputValidation: true);
            json.WriteString("requestId", requestId);
            RedisWire.WriteOptions(json, "opts", options, timeout);
        }, attachments);

    private protected override void PublishServerSideEmit(string? requestId, byte[] data, IReadOnlyList<ReadOnlyMemory<byte>>? attachments) =>
        PublishMessage(MessageType.ServerSideEmit, _channel, json =>
        {
            if (requestId is not null)
            {
                json.WriteString("requestId", requestId);
            }
            json.WritePropertyName("packet");
            json.WriteRawValue(data, skipInputValidation: true);
        }, attachments);

    private void PublishMessage(MessageType type, RedisChannel channel, Action<Utf8JsonWriter> data,
        IReadOnlyList<ReadOnlyMemory<byte>>? attachments = null) =>
        Publish(channel, RedisWire.Finish(RedisWire.Json(json =>
        {
            json.WriteNumber("type", (int)type);
            json.WriteStartObject("data");
            data(json);
            json.WriteEndObject();
            json.WriteString("uid", Uid);
            json.WriteString("nsp", Context.Namespace);
        }), attachments));

    private void Respond(string? requesterUid, MessageType type, Action<Utf8JsonWriter> data,
        IReadOnlyList<ReadOnlyMemory<byte>>? attachments = null)
    {
        if (requesterUid is not null)
        {
            PublishMessage(type, RedisChannel.Sharded($"{_channelPrefix}{requesterUid}#"), data, attachments);
        }
    }

    // ---- receiving ----

    private void OnRawMessage(RedisChannel channel, RedisValue raw)
    {
        var message = RedisWire.Parse((byte[])raw!, out var attachments);
        var uid = RedisWire.ReadString(message, "uid");
        if (uid == Uid || RedisWire.ReadString(message, "nsp") != Context.Namespace
            || !message.TryGetProperty("type", out var t) || !t.TryGetInt32(out var typeValue)
            || !message.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        Internal.GatewaysMetrics.AdapterReceived();
        var requestId = RedisWire.ReadString(data, "requestId");
        var options = data.TryGetProperty("opts", out var opts) ? RedisWire.ReadOptions(opts) : BroadcastOptions.All;
        switch ((MessageType)typeValue)
        {
            case MessageType.Broadcast when requestId is null:
                DeliverLocally(data.GetProperty("packet"), attachments, options);
                break;
            case MessageType.Broadcast:
                _ = ServeBroadcastWithAckAsync(data.GetProperty("packet"), attachments, options,
                    RedisWire.ReadTimeout(opts) ?? Options.RequestsTimeout,
                    count => Respond(uid, MessageType.BroadcastClientCount, json =>
                    {
                        json.WriteString("requestId", requestId);
                        json.WriteNumber("clientCount", count);
                    }),
                    (answer, answerAttachments) => Respond(uid, MessageType.BroadcastAck, json =>
                    {
                        json.WriteString("requestId", requestId);
                        WriteAnswer(json, "packet", answer);
                    }, answerAttachments));
                break;
            case MessageType.SocketsJoin:
                RunCommandLocally(ClusterCommand.Join, data, options);
                break;
            case MessageType.SocketsLeave:
                RunCommandLocally(ClusterCommand.Leave, data, options);
                break;
            case MessageType.DisconnectSockets:
                RunCommandLocally(ClusterCommand.Disconnect, data, options);
                break;
            case MessageType.FetchSockets when requestId is not null:
                Respond(uid, MessageType.FetchSocketsResponse, json =>
                {
                    json.WriteString("requestId", requestId);
                    WriteLocalSockets(json, options);
                });
                break;
            case MessageType.ServerSideEmit when data.TryGetProperty("packet", out var packet):
                _ = ServeServerSideEmitAsync(packet, attachments, requestId is null ? null : answer =>
                    Respond(uid, MessageType.ServerSideEmitResponse, json =>
                    {
                        json.WriteString("requestId", requestId);
                        json.WritePropertyName("packet");
                        json.WriteRawValue(answer, skipInputValidation: true);
                    }));
                break;
            case MessageType.FetchSocketsResponse when requestId is not null:
                OnRequestAnswer(requestId, data, attachments);
                break;
            case MessageType.ServerSideEmitResponse when requestId is not null:
                OnRequestAnswer(requestId, data.TryGetProperty("packet", out var answerPacket) ? answerPacket : default, attachments);
                break;
            case MessageType.BroadcastClientCount when requestId is not null && data.TryGetProperty("clientCount", out var count) && count.TryGetInt32(out var clients):
                OnClientCount(requestId, clients);
                break;
            case MessageType.BroadcastAck when requestId is not null:
                OnClientAnswer(requestId, data.TryGetProperty("packet", out var ackPacket) ? ackPacket : null, attachments);
                break;
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        base.Dispose();
        foreach (var (room, _) in LocalRooms())
        {
            Redis.Subscriber.Unsubscribe(RoomChannel(room), null, CommandFlags.FireAndForget);
        }
    }
}
