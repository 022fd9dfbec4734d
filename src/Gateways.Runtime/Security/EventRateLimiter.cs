using System.Threading.RateLimiting;
using Gateways.Hosting;

namespace Gateways.Security;

/// <summary>
/// Token buckets for one server: one per socket (created with the socket) and, when enabled, one per user shared by
/// that user's sockets. Buckets are refilled from the server's <see cref="TimeProvider"/>, so tests can drive them.
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

    public int DisconnectAfterRejections => _options.DisconnectAfterRejections;

    public SocketBucket? CreateSocketBucket() => _options.Enabled ? new SocketBucket(_options, _time) : null;

    /// <summary>Takes one permit from the socket's bucket and, if enabled, from its user's.</summary>
    public bool TryAcquire(SocketBucket? bucket, string? userId)
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

    /// <summary>A token bucket refilled lazily: on each acquire, the periods elapsed since the last refill are added.</summary>
    internal sealed class SocketBucket : IDisposable
    {
        private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);
        private readonly TokenBucketRateLimiter _bucket;
        private readonly TimeProvider _time;
        private long _lastRefill;

        public SocketBucket(GatewaysRateLimitOptions options, TimeProvider time)
        {
            _time = time;
            _lastRefill = time.GetTimestamp();
            _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, options.Burst),
                TokensPerPeriod = Math.Max(1, options.PermitsPerSecond / 10),
                ReplenishmentPeriod = Period,
                QueueLimit = 0,
                AutoReplenishment = false,
            });
        }

        /// <summary>Rejected events in a row; reset by an accepted one.</summary>
        public int ConsecutiveRejections { get; set; }

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
            ConsecutiveRejections = lease.IsAcquired ? 0 : ConsecutiveRejections + 1;
            return lease.IsAcquired;
        }

        public void Dispose() => _bucket.Dispose();
    }
}
