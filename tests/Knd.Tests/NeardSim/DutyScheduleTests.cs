using NeardSim.Chain;

namespace Knd.Tests.NeardSim;

public sealed class DutyScheduleTests
{
    [Fact]
    public void HasDuty_SeedSevenPercent33_MatchesIndependentlyComputedHeights()
    {
        // Computed outside .NET from FNV-1a-64("7:a.test:{h}") mod 100 < 33.
        long[] expected = [0, 7, 12, 15, 20, 27, 28, 29, 30, 31, 32, 38, 39];
        var schedule = new DutySchedule(7, 33);

        var actual = Enumerable.Range(0, 40).Where(h => schedule.HasDuty("a.test", h)).Select(h => (long)h);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void HasDuty_OtherSeedAndPercent_MatchesIndependentlyComputedHeights()
    {
        long[] expected = [0, 1, 4, 6, 7, 8, 9, 12, 13, 14, 15, 23, 24, 25, 26, 27, 32, 33, 34];
        var schedule = new DutySchedule(42, 50);

        Assert.Equal(expected, Enumerable.Range(0, 40).Where(h => schedule.HasDuty("a.test", h)).Select(h => (long)h));
    }

    [Fact]
    public void HasDuty_TwoSchedulesSameSeed_Agree()
    {
        var first = new DutySchedule(7, 33);
        var second = new DutySchedule(7, 33);

        for (var h = 0; h < 1000; h++)
        {
            Assert.Equal(first.HasDuty("b.test", h), second.HasDuty("b.test", h));
        }
    }

    [Fact]
    public void HasDuty_Percent33_CoversAboutAThirdOfHeights()
    {
        var schedule = new DutySchedule(7, 33);

        var count = schedule.CountDuties("pool.test", 0, 9999);

        Assert.InRange(count, 3000, 3600);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(100, 200)]
    public void CountDuties_ExtremePercents_NoneOrAll(int percent, long expected) =>
        Assert.Equal(expected, new DutySchedule(7, percent).CountDuties("a.test", 0, 199));
}
