namespace Gateways.Adapters.Redis;

/// <summary>Settings of the Redis adapter, wire-compatible with Node's <c>@socket.io/redis-adapter</c> 8.x (classic
/// mode): the same channels, the same MessagePack and JSON messages, so .NET and Node servers can share a cluster.</summary>
public sealed class RedisAdapterOptions
{
    /// <summary>The StackExchange.Redis configuration string, such as <c>localhost:6379</c>; <c>redis://host:port</c>
    /// URLs are accepted too.</summary>
    public string Configuration { get; set; } = "localhost:6379";

    /// <summary>The channel prefix, the Node adapter's <c>key</c>. Default <c>socket.io</c>.</summary>
    public string Key { get; set; } = "socket.io";

    /// <summary>How long cluster-wide requests (fetch sockets, all rooms) wait for the other servers. Default 5 s.</summary>
    public TimeSpan RequestsTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Which protocol of the Node adapter to speak: <see cref="RedisAdapterMode.Classic"/>
    /// (<c>createAdapter</c>, the default) or <see cref="RedisAdapterMode.Sharded"/> (<c>createShardedAdapter</c>, Redis
    /// 7 sharded pub/sub). Every server of a cluster must use the same one.</summary>
    public RedisAdapterMode Mode { get; set; } = RedisAdapterMode.Classic;

    /// <summary>In <see cref="RedisAdapterMode.Sharded"/> mode, which rooms get a channel of their own (the Node
    /// adapter's <c>subscriptionMode</c>). Default <see cref="ShardedSubscriptionMode.Dynamic"/>.</summary>
    public ShardedSubscriptionMode SubscriptionMode { get; set; } = ShardedSubscriptionMode.Dynamic;

    /// <summary>Answer requests on the requester's own response channel (the Node adapter's
    /// <c>publishOnSpecificResponseChannel</c>). Default <see langword="false"/>.</summary>
    public bool PublishOnSpecificResponseChannel { get; set; }

    /// <summary>In <see cref="RedisAdapterMode.Streams"/> mode, the stream's name (the Node adapter's <c>streamName</c>).
    /// Default <c>socket.io</c>.</summary>
    public string StreamName { get; set; } = "socket.io";

    /// <summary>In streams mode, how many streams the namespaces are spread over (<c>streamCount</c>; with more than one,
    /// namespace <c>n</c> writes to <c>{StreamName}-{hash(n) % count}</c> as in Node). Default 1.</summary>
    public int StreamCount { get; set; } = 1;

    /// <summary>In streams mode, the approximate length the stream is trimmed to (<c>maxLen</c>): events older than the
    /// last this many cannot be recovered. Default 10,000.</summary>
    public int StreamMaxLength { get; set; } = 10_000;

    /// <summary>In streams mode, how many entries one read takes (<c>readCount</c>). Default 100.</summary>
    public int StreamReadCount { get; set; } = 100;

    /// <summary>In streams mode, the prefix of the keys recovery sessions are kept under (<c>sessionKeyPrefix</c>).
    /// Default <c>sio:session:</c>.</summary>
    public string SessionKeyPrefix { get; set; } = "sio:session:";

    /// <summary>Turns <c>redis://host:port</c> (as in WS_REDIS_URL) into a StackExchange.Redis configuration string.</summary>
    /// <param name="url">A redis:// URL or a configuration string.</param>
    public static string ToConfiguration(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss"))
        {
            return url;
        }
        var configuration = $"{uri.Host}:{(uri.Port > 0 ? uri.Port : 6379)}";
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            configuration += parts.Length == 2 ? $",user={Uri.UnescapeDataString(parts[0])},password={Uri.UnescapeDataString(parts[1])}" : $",password={Uri.UnescapeDataString(parts[0])}";
        }
        return uri.Scheme == "rediss" ? configuration + ",ssl=true" : configuration;
    }
}

/// <summary>The Redis protocol of the adapter.</summary>
public enum RedisAdapterMode
{
    /// <summary>Classic pub/sub (<c>PUBLISH</c>/<c>PSUBSCRIBE</c>), as Node's <c>createAdapter</c>; also what
    /// <c>@socket.io/redis-emitter</c> speaks.</summary>
    Classic,

    /// <summary>Sharded pub/sub (Redis 7 <c>SPUBLISH</c>/<c>SSUBSCRIBE</c>), as Node's <c>createShardedAdapter</c>:
    /// scales with a Redis Cluster's shards.</summary>
    Sharded,

    /// <summary>A Redis stream (<c>XADD</c>/<c>XREAD</c>) for broadcasts and room commands, pub/sub for requests, as
    /// Node's <c>@socket.io/redis-streams-adapter</c> 0.3: a server that misses messages for a while reads them later,
    /// and connection state recovery keeps sessions and missed events in Redis, so a client recovers on any server.</summary>
    Streams,
}

/// <summary>Which rooms get a sharded channel of their own, so a room broadcast reaches only the servers that have the
/// room (Node's <c>subscriptionMode</c>).</summary>
public enum ShardedSubscriptionMode
{
    /// <summary>Two channels per namespace; every server hears every broadcast. Best with many dynamic namespaces.</summary>
    Static,

    /// <summary>Also one channel per public room (not per socket's own room). The default.</summary>
    Dynamic,

    /// <summary>Also one channel per socket's own room: best when most traffic is one-to-one.</summary>
    DynamicPrivate,
}
