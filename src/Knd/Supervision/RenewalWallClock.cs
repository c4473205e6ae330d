namespace Knd.Supervision;

/// <summary>
/// The wall-clock time of this node's last successful session renewal (or its creation), for the
/// member record's <c>renewed_at</c>. The machine keeps it on the monotonic clock (a fence must not
/// move with a wall-clock step); other hosts can only compare wall-clock times. Converted once per
/// renewal, so the record does not change between renewals with the two clocks' small drift.
/// </summary>
internal sealed class RenewalWallClock
{
    private readonly MonotonicClock _clock;
    private TimeSpan? _sentAt;
    private DateTimeOffset _wallTime;

    public RenewalWallClock(MonotonicClock clock) => _clock = clock;

    /// <summary>When the snapshot's last successful renewal was sent, by the wall clock; null without a session.</summary>
    public DateTimeOffset? Of(SupervisorSnapshot snapshot)
    {
        if (snapshot.LastRenewAge is not { } age)
        {
            return null;
        }

        var sentAt = snapshot.TakenAt - age;
        if (sentAt != _sentAt)
        {
            _sentAt = sentAt;
            _wallTime = _clock.TimeProvider.GetUtcNow() - (_clock.Now - sentAt);
        }

        return _wallTime;
    }
}
