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
public sealed class ShardedRedisGatewayAdapter : ClusterMessageAdapter
{
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
        : base(context, redis, options, logger)
    {
        _channelPrefix = $"{options.Key}#{context.Namespace}#";
        _channel = RedisChannel.Sharded(_channelPrefix);
        _responseChannel = RedisChannel.Sharded($"{_channelPrefix}{Uid}#");
        _handler = (_, message) => Guard(() => OnClusterMessage(RedisWire.Parse((byte[])message!, out var attachments), attachments));
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
        Publish(useRoomChannel ? RoomChannel(room!) : _channel,
            RedisWire.Finish(Envelope(MessageType.Broadcast, json => WriteBroadcast(json, packetJson, options)), packet.Attachments));
        base.Broadcast(packet, options);
    }

    /// <inheritdoc/>
    /// <remarks>As in Node's sharded adapter, only this server's rooms: the cluster protocol has no request for it.</remarks>
    public override Task<IReadOnlyCollection<string>> AllRoomsAsync() => base.AllRoomsAsync();

    // Never a room's channel: every server must hear requests and commands.
    private protected override void PublishMessage(MessageType type, Action<Utf8JsonWriter> data,
        IReadOnlyList<ReadOnlyMemory<byte>>? attachments) =>
        Publish(_channel, RedisWire.Finish(Envelope(type, data), attachments));

    private protected override void PublishResponse(string requesterUid, MessageType type, Action<Utf8JsonWriter> data,
        IReadOnlyList<ReadOnlyMemory<byte>>? attachments) =>
        Publish(RedisChannel.Sharded($"{_channelPrefix}{requesterUid}#"), RedisWire.Finish(Envelope(type, data), attachments));

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
