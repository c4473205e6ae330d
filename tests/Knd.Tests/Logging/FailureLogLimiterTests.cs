using Knd.Logging;
using Knd.Tests.Infrastructure;

namespace Knd.Tests.Logging;

/// <summary>A repeated failure is logged once, then summarised with a count at most every interval, then its recovery once.</summary>
public sealed class FailureLogLimiterTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void FirstFailure_IsLoggedInFull_RepeatsWithinTheIntervalAreNot()
    {
        var limiter = new FailureLogLimiter(_time, TimeSpan.FromSeconds(10));

        var first = limiter.Failed("renew");
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = limiter.Failed("renew");

        Assert.Equal(FailureLogKind.First, first.Kind);
        Assert.Equal(FailureLogKind.None, second.Kind);
    }

    [Fact]
    public void RepeatsAreSummarised_WithTheirCountAndWindow_AtMostOncePerInterval()
    {
        var limiter = new FailureLogLimiter(_time, TimeSpan.FromSeconds(8));
        limiter.Failed("member");
        var reports = new List<FailureLogReport>();

        // 30 failures a second for 17 s, as the member record was re-published on every loop event.
        for (var i = 0; i < 17 * 30; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1.0 / 30));
            reports.Add(limiter.Failed("member"));
        }

        var summaries = reports.Where(r => r.Kind == FailureLogKind.Repeated).ToList();
        Assert.Equal(2, summaries.Count);
        Assert.InRange(summaries[0].Count, 239, 241);
        Assert.InRange(summaries[0].Window.TotalSeconds, 8, 8.1);
        Assert.InRange(summaries[1].Count, 239, 241);
    }

    [Fact]
    public void Recovery_IsLoggedOnce_WithTheTotalAndTheDuration_ThenANewRunStartsAfresh()
    {
        var limiter = new FailureLogLimiter(_time, TimeSpan.FromSeconds(10));
        for (var i = 0; i < 36; i++)
        {
            limiter.Failed("acquire");
            _time.Advance(TimeSpan.FromMilliseconds(250));
        }

        var recovered = limiter.Succeeded("acquire");
        var quiet = limiter.Succeeded("acquire");
        var again = limiter.Failed("acquire");

        Assert.Equal(new FailureLogReport(FailureLogKind.Recovered, 36, TimeSpan.FromSeconds(9)), recovered);
        Assert.Equal(FailureLogKind.None, quiet.Kind);
        Assert.Equal(FailureLogKind.First, again.Kind);
    }

    [Fact]
    public void Keys_AreCountedApart()
    {
        var limiter = new FailureLogLimiter(_time);

        var renew = limiter.Failed("renew");
        var create = limiter.Failed("create");
        limiter.Succeeded("renew");

        Assert.Equal(FailureLogKind.First, renew.Kind);
        Assert.Equal(FailureLogKind.First, create.Kind);
        Assert.False(limiter.IsFailing("renew"));
        Assert.True(limiter.IsFailing("create"));
    }
}
