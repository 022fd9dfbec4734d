using Gateways;
using Gateways.Adapters.Redis;
using Gateways.Adapters;
using Gateways.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Scale-out with Redis.</summary>
public static class GatewaysRedisExtensions
{
    /// <summary>
    /// Makes several servers act as one through Redis, wire-compatible with Node's <c>@socket.io/redis-adapter</c> 8.x
    /// (classic and sharded modes) and <c>@socket.io/redis-streams-adapter</c> 0.3 (streams mode, which also keeps
    /// connection state recovery in Redis): broadcasts, rooms, <c>To(userId)</c>, fetching, joining, leaving and
    /// disconnecting sockets span the cluster. Adds the <c>gateways-redis</c> health check.
    /// </summary>
    /// <param name="gateways">The builder.</param>
    /// <param name="configure">The Redis address and the channel prefix.</param>
    public static IGatewaysBuilder AddRedisAdapter(this IGatewaysBuilder gateways, Action<RedisAdapterOptions> configure)
    {
        gateways.Services.Configure(configure);
        gateways.Services.TryAddSingleton<RedisAdapterConnection>();
        gateways.AddAdapter<RedisGatewayAdapterFactory>();
        gateways.Services.AddHealthChecks().AddCheck<RedisAdapterHealthCheck>("gateways-redis");
        return gateways;
    }

    /// <summary>The same, from a <c>redis://host:port</c> URL such as <c>WS_REDIS_URL</c>.</summary>
    /// <param name="gateways">The builder.</param>
    /// <param name="url">The Redis URL or StackExchange.Redis configuration string.</param>
    public static IGatewaysBuilder AddRedisAdapter(this IGatewaysBuilder gateways, string url) =>
        gateways.AddRedisAdapter(options => options.Configuration = url);
}
