using System.Threading.RateLimiting;
using Gateways.Hosting;

namespace Gateways.Security;

/// <summary>
/// Token buckets for one server: one per Engine.IO connection (shared by its namespaces, so leaving and rejoining a
/// namespace starts no fresh budget) and, when enabled, one per user shared by every connection of that user (so
/// opening a new connection starts none either). Buckets are refilled from the server's <see cref="TimeProvider"/>,
/// so tests can drive them.
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
    /// A token bucket refilled lazily (on each acquire, the periods elapsed since the last refill are added), and the
    /// count of rejections in the current window: a flood paced just above the limit is cut off as surely as a burst,
    /// because accepted events in between do not reset the count.
    /// </summary>
    internal sealed class ConnectionBucket : IDisposable
    {
        private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);
        private readonly TokenBucketRateLimiter _bucket;
        private readonly TimeProvider _time;
        private readonly TimeSpan _window;
        private long _lastRefill;
        private long _windowStart;
        private int _rejectionsInWindow;

        public ConnectionBucket(GatewaysRateLimitOptions options, TimeProvider time)
        {
            _time = time;
            _window = options.RejectionWindow > TimeSpan.Zero ? options.RejectionWindow : TimeSpan.FromSeconds(10);
            _lastRefill = _windowStart = time.GetTimestamp();
            _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, options.Burst),
                TokensPerPeriod = Math.Max(1, options.PermitsPerSecond / 10),
                ReplenishmentPeriod = Period,
                QueueLimit = 0,
                AutoReplenishment = false,
            });
        }

        public bool TryAcquire()
        {
            var elapsed = _time.GetElapsedTime(_lastRefill);
            if (elapsed >= Period)
            {
                var periods = (int)Math.Min(elapsed.Ticks / Period.Ticks, 1000);
                _lastRefill = _time.GetTimestamp();
                for (var i = 0; i < periods && _bucket.TryReplenish(); i++)
                {
                }
            }
            using var lease = _bucket.AttemptAcquire();
            return lease.IsAcquired;
        }

        /// <summary>Counts one refused event or CONNECT; returns how many were refused in the current window.</summary>
        public int RecordRejection()
        {
            if (_time.GetElapsedTime(_windowStart) >= _window)
            {
                _windowStart = _time.GetTimestamp();
                _rejectionsInWindow = 0;
            }
            return ++_rejectionsInWindow;
        }

        public void Dispose() => _bucket.Dispose();
    }
}
