using Gateways.Hosting;
using Gateways.Security;
using Microsoft.Extensions.Time.Testing;

namespace Gateways.Tests.Layers;

/// <summary>A connection's token bucket alone, on a fake clock: the configured rate exactly, whatever it is, and never
/// more than the burst however long the connection was quiet.</summary>
public sealed class EventRateLimiterTests
{
    private static (EventRateLimiter.ConnectionBucket Bucket, FakeTimeProvider Clock) Bucket(int perSecond, int burst)
    {
        var clock = new FakeTimeProvider();
        var options = new GatewaysRateLimitOptions { PermitsPerSecond = perSecond, Burst = burst };
        return (new EventRateLimiter(options, clock).CreateConnectionBucket()!, clock);
    }

    private static int Acquired(EventRateLimiter.ConnectionBucket bucket, int attempts) =>
        Enumerable.Range(0, attempts).Count(_ => bucket.TryAcquire());

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(15)]
    [InlineData(100)]
    public void TheBucketRefillsAtTheConfiguredRate(int perSecond)
    {
        var (bucket, clock) = Bucket(perSecond, burst: 1000);
        Assert.Equal(1000, Acquired(bucket, 2000));

        var granted = 0;
        for (var i = 0; i < 40; i++) // 10 s in quarter seconds, a flood at every step
        {
            clock.Advance(TimeSpan.FromMilliseconds(250));
            granted += Acquired(bucket, 1000);
        }

        Assert.Equal(perSecond * 10, granted);
    }

    [Fact]
    public void AQuietConnectionGetsItsBurstBackAndNoMore()
    {
        var (bucket, clock) = Bucket(perSecond: 10, burst: 20);
        Assert.Equal(20, Acquired(bucket, 100));

        clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(5, Acquired(bucket, 100));

        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(20, Acquired(bucket, 100));
    }

    [Fact]
    public void RejectionsAreCountedPerWindowNotInARow()
    {
        var (bucket, clock) = Bucket(perSecond: 10, burst: 1);

        Assert.Equal(1, bucket.RecordRejection());
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(bucket.TryAcquire()); // an accepted event in between does not reset the count
        Assert.Equal(2, bucket.RecordRejection());
        clock.Advance(TimeSpan.FromSeconds(6)); // the 10 s window is over
        Assert.Equal(1, bucket.RecordRejection());
    }
}
