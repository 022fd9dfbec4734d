using System.Threading.RateLimiting;
using Gateways.Hosting;

namespace Gateways.Security;

/// <summary>
/// Token buckets for one server: one per Engine.IO connection (shared by its namespaces, so leaving and rejoining a
/// namespace starts no fresh budget) and, when enabled, one per user shared by every connection of that user (so
/// opening a new connection starts none either). Connection buckets are refilled from the server's
/// <see cref="TimeProvider"/>, so tests can drive them; user buckets by System.Threading.RateLimiting's own timer.
/// </summary>
internal sealed class EventRateLimiter
{
    private readonly GatewaysRateLimitOptions _options;
    private readonly TimeProvider _time;
    private readonly PartitionedRateLimiter<string>? _perUser;

    public EventRateLimiter(GatewaysRateLimitOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        if (options.PerUserEnabled)
        {
            _perUser = PartitionedRateLimiter.Create<string, string>(user => RateLimitPartition.GetTokenBucketLimiter(user,
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.PerUserBurst,
                    TokensPerPeriod = options.PerUserPermitsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
        }
    }

    public bool Enabled => _options.Enabled;

    /// <summary>The bucket of one connection; <see langword="null"/> when per-connection limits are off.</summary>
    public ConnectionBucket? CreateConnectionBucket() => _options.Enabled ? new ConnectionBucket(_options, _time) : null;

    /// <summary>Takes one permit from the connection's bucket and, if enabled, from its user's.</summary>
    public bool TryAcquire(ConnectionBucket? bucket, string? userId)
    {
        if (bucket is not null && !bucket.TryAcquire())
        {
            return false;
        }
        if (_perUser is not null && userId is not null)
        {
            using var lease = _perUser.AttemptAcquire(userId);
            return lease.IsAcquired;
        }
        return true;
    }

    /// <summary>
    /// A token bucket refilled lazily from the server's clock (on each acquire, by the time elapsed since the last one,
    /// at exactly <see cref="GatewaysRateLimitOptions.PermitsPerSecond"/>, up to the burst), and the count of rejections
    /// in the current window: a flood paced just above the limit is cut off as surely as a burst, because accepted
    /// events in between do not reset the count. Our own rather than System.Threading.RateLimiting's, whose manual
    /// replenishment reads the real clock and adds at most one period per call.
    /// </summary>
    internal sealed class ConnectionBucket
    {
        private readonly Lock _lock = new();
        private readonly TimeProvider _time;
        private readonly TimeSpan _window;
        private readonly double _capacity;
        private readonly double _tokensPerTimestamp;
        private double _tokens;
        private long _lastRefill;
        private long _windowStart;
        private int _rejectionsInWindow;

        public ConnectionBucket(GatewaysRateLimitOptions options, TimeProvider time)
        {
            _time = time;
            _window = options.RejectionWindow > TimeSpan.Zero ? options.RejectionWindow : TimeSpan.FromSeconds(10);
            _capacity = _tokens = Math.Max(1, options.Burst);
            _tokensPerTimestamp = Math.Max(0, options.PermitsPerSecond) / (double)time.TimestampFrequency;
            _lastRefill = _windowStart = time.GetTimestamp();
        }

        public bool TryAcquire()
        {
            lock (_lock)
            {
                var now = _time.GetTimestamp();
                _tokens = Math.Min(_capacity, _tokens + (now - _lastRefill) * _tokensPerTimestamp);
                _lastRefill = now;
                if (_tokens < 1)
                {
                    return false;
                }
                _tokens -= 1;
                return true;
            }
        }

        /// <summary>Counts one refused event or CONNECT; returns how many were refused in the current window.</summary>
        public int RecordRejection()
        {
            lock (_lock)
            {
                if (_time.GetElapsedTime(_windowStart) >= _window)
                {
                    _windowStart = _time.GetTimestamp();
                    _rejectionsInWindow = 0;
                }
                return ++_rejectionsInWindow;
            }
        }
    }
}
