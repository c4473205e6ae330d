using Knd.Supervision;
using Knd.Tests.Infrastructure;

namespace Knd.Tests.Supervision;

/// <summary>renewed_at: the machine's monotonic renewal time turned into wall-clock time, once per renewal.</summary>
public sealed class RenewalWallClockTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly MonotonicClock _clock;
    private readonly RenewalWallClock _renewedAt;

    public RenewalWallClockTests()
    {
        _clock = new MonotonicClock(_time);
        _renewedAt = new RenewalWallClock(_clock);
    }

    /// <summary>A snapshot taken now whose last successful renewal was sent at monotonic <paramref name="sentAt"/>.</summary>
    private SupervisorSnapshot Renewed(TimeSpan? sentAt) =>
        new(SupervisorState.Voting, false, null, null, null, false, true, sentAt is null ? null : "s", _clock.Now - sentAt, null, false, null, _clock.Now);

    [Fact]
    public void Of_IsTheWallClockTimeTheRenewalWasSent()
    {
        var start = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(start + TimeSpan.FromSeconds(7.5), _renewedAt.Of(Renewed(TimeSpan.FromSeconds(7.5))));
    }

    [Fact]
    public void Of_TheSameRenewal_KeepsItsTime_EvenWhenTheWallClockSteps()
    {
        _time.Advance(TimeSpan.FromSeconds(10));
        var first = _renewedAt.Of(Renewed(TimeSpan.FromSeconds(9)));

        _time.Advance(TimeSpan.FromSeconds(1));
        _time.SetUtcNow(_time.GetUtcNow() + TimeSpan.FromMinutes(3));

        Assert.Equal(first, _renewedAt.Of(Renewed(TimeSpan.FromSeconds(9))));
        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromSeconds(0.5), _renewedAt.Of(Renewed(TimeSpan.FromSeconds(10.5))));
    }

    [Fact]
    public void Of_NoSession_IsNull() =>
        Assert.Null(_renewedAt.Of(Renewed(null)));
}
