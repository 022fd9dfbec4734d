namespace Gateways.Internal;

/// <summary>
/// .NET timers (and <c>Task.WaitAsync</c>) take at most 2^32-2 ms, about 49.7 days; a longer due time throws. Waits
/// that come from outside (a token's expiry, an app's or a Redis peer's ack timeout) go through here.
/// </summary>
internal static class TimerLimits
{
    /// <summary>The longest due time a timer accepts.</summary>
    public static readonly TimeSpan MaxDue = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>The step a longer wait is taken in: the timer is re-armed until the deadline is reached.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromDays(30);

    /// <summary>A timeout a timer accepts: negative becomes zero (infinite stays infinite), too long becomes
    /// <see cref="MaxDue"/>.</summary>
    public static TimeSpan Clamp(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan ? timeout
        : timeout < TimeSpan.Zero ? TimeSpan.Zero
        : timeout > MaxDue ? MaxDue
        : timeout;

    /// <summary>A timeout in milliseconds from the wire (NaN, negative, huge), as a <see cref="TimeSpan"/> a timer
    /// accepts.</summary>
    public static TimeSpan FromMilliseconds(double milliseconds) =>
        double.IsNaN(milliseconds) || milliseconds <= 0 ? TimeSpan.Zero
        : milliseconds >= MaxDue.TotalMilliseconds ? MaxDue
        : TimeSpan.FromMilliseconds(milliseconds);

    /// <summary>The next due time towards <paramref name="deadline"/>: at most <see cref="Step"/>.</summary>
    public static TimeSpan NextStep(DateTimeOffset deadline, DateTimeOffset now)
    {
        var due = deadline - now;
        return due <= TimeSpan.Zero ? TimeSpan.Zero : due > Step ? Step : due;
    }
}
