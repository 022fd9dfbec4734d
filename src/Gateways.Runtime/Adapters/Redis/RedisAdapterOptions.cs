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

    /// <summary>Answer requests on the requester's own response channel (the Node adapter's
    /// <c>publishOnSpecificResponseChannel</c>). Default <see langword="false"/>.</summary>
    public bool PublishOnSpecificResponseChannel { get; set; }

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
