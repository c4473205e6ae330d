namespace Knd.Failover;

/// <summary>
/// Monotonic time since knd started, from a <see cref="TimeProvider"/>. Every deadline of the
/// failover algorithm uses it: a wall-clock step (NTP, an operator) must not shorten or stretch a fence.
/// </summary>
internal sealed class MonotonicClock
{
    private readonly TimeProvider _timeProvider;
    private readonly long _origin;

    public MonotonicClock(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _origin = timeProvider.GetTimestamp();
    }

    public TimeProvider TimeProvider => _timeProvider;

    public TimeSpan Now => _timeProvider.GetElapsedTime(_origin);
}
