using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateways.Adapters.Redis;

/// <summary>
/// The one Redis connection of a server, shared by every namespace's adapter. The app starts even when Redis is
/// unreachable: the connection retries in the background (StackExchange.Redis reconnects and restores the
/// subscriptions by itself), local delivery works meanwhile, and commands fail fast instead of queueing, so nothing
/// grows while Redis is away. The health check reports Degraded until it is back.
/// </summary>
public sealed class RedisAdapterConnection : IDisposable
{
    private readonly ConnectionMultiplexer _multiplexer;
    private readonly ConfigurationOptions _configuration;
    private readonly ILogger _logger;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, RedisStreamReader> _streams = new(StringComparer.Ordinal);

    /// <summary>Connects (in the background when Redis is not there yet).</summary>
    /// <param name="options">The adapter settings.</param>
    /// <param name="logger">The logger.</param>
    public RedisAdapterConnection(IOptions<RedisAdapterOptions> options, ILogger<RedisAdapterConnection> logger)
    {
        var configuration = ConfigurationOptions.Parse(RedisAdapterOptions.ToConfiguration(options.Value.Configuration));
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ClientName ??= "gateways";
        _configuration = configuration;
        _logger = logger;
        _multiplexer = ConnectionMultiplexer.Connect(configuration);
        _multiplexer.ConnectionFailed += (_, e) => RedisAdapterLog.ConnectionLost(logger, e.FailureType.ToString(), e.Exception?.Message ?? "");
        _multiplexer.ConnectionRestored += (_, _) =>
        {
            RedisAdapterLog.ConnectionRestored(logger);
            Restored?.Invoke();
        };
        if (!_multiplexer.IsConnected)
        {
            RedisAdapterLog.Unreachable(logger, "not connected at startup; retrying in the background");
        }
    }

    /// <summary>Raised when the connection comes back, so adapters that could not subscribe at startup do it now.</summary>
    internal event Action? Restored;

    /// <summary>Whether Redis is reachable now.</summary>
    public bool IsConnected => _multiplexer.IsConnected;

    internal ISubscriber Subscriber => _multiplexer.GetSubscriber();

    internal IDatabase Database => _multiplexer.GetDatabase();

    /// <summary>The reader of one stream, shared by the namespaces that write to it.</summary>
    internal RedisStreamReader Stream(string name, int readCount) =>
        _streams.GetOrAdd(name, stream => new RedisStreamReader(ConnectBlocking, stream, readCount, _logger));

    // A blocking read holds its connection: the stream readers get one of their own, with a timeout past the block.
    private ConnectionMultiplexer ConnectBlocking(TimeSpan timeout)
    {
        var configuration = _configuration.Clone();
        configuration.ClientName += "-stream";
        configuration.AsyncTimeout = configuration.SyncTimeout = (int)timeout.TotalMilliseconds;
        return ConnectionMultiplexer.Connect(configuration);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var reader in _streams.Values)
        {
            reader.Dispose();
        }
        _multiplexer.Dispose();
    }
}

/// <summary>Healthy while the adapter's Redis connection is up, Degraded (local delivery only) while it is not.</summary>
public sealed class RedisAdapterHealthCheck(RedisAdapterConnection connection) : IHealthCheck
{
    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(connection.IsConnected
            ? HealthCheckResult.Healthy("Redis adapter connected.")
            : HealthCheckResult.Degraded("Redis is unreachable: broadcasts reach this server's clients only until it is back."));
}

/// <summary>Creates a <see cref="RedisGatewayAdapter"/> (in sharded mode a <see cref="ShardedRedisGatewayAdapter"/>, in
/// streams mode a <see cref="RedisStreamsGatewayAdapter"/>) per namespace over the shared connection.</summary>
public sealed class RedisGatewayAdapterFactory(RedisAdapterConnection connection, IOptions<RedisAdapterOptions> options,
    ILoggerFactory loggers) : IGatewayAdapterFactory
{
    /// <inheritdoc/>
    public IGatewayAdapter Create(IGatewayAdapterContext context) => options.Value.Mode switch
    {
        RedisAdapterMode.Sharded => new ShardedRedisGatewayAdapter(context, connection, options.Value, loggers.CreateLogger<ShardedRedisGatewayAdapter>()),
        RedisAdapterMode.Streams => new RedisStreamsGatewayAdapter(context, connection, options.Value, loggers.CreateLogger<RedisStreamsGatewayAdapter>()),
        _ => new RedisGatewayAdapter(context, connection, options.Value, loggers.CreateLogger<RedisGatewayAdapter>()),
    };
}

internal static partial class RedisAdapterLog
{
    [LoggerMessage(301, LogLevel.Warning, "Redis adapter: Redis is unreachable ({Reason}); delivery stays local.")]
    public static partial void Unreachable(ILogger logger, string reason);

    [LoggerMessage(302, LogLevel.Warning, "Redis adapter: connection lost ({FailureType}: {Message}); reconnecting.")]
    public static partial void ConnectionLost(ILogger logger, string failureType, string message);

    [LoggerMessage(303, LogLevel.Information, "Redis adapter: connection restored.")]
    public static partial void ConnectionRestored(ILogger logger);

    [LoggerMessage(304, LogLevel.Warning, "Redis adapter: '{RequestType}' got {Received} of {Expected} answers before the timeout.")]
    public static partial void RequestTimedOut(ILogger logger, string requestType, int received, int expected);

    [LoggerMessage(305, LogLevel.Warning, "Redis adapter: ignored a malformed message for namespace '{Namespace}'.")]
    public static partial void BadMessage(ILogger logger, string @namespace, Exception exception);

    [LoggerMessage(306, LogLevel.Error, "Redis adapter: the server-side listener of '{EventName}' in namespace '{Namespace}' failed.")]
    public static partial void ListenerFailed(ILogger logger, string eventName, string @namespace, Exception exception);
}
