using Knd.Tests.Infrastructure;
using NeardSim.Chain;

namespace Knd.Tests.NeardSim;

public sealed class ChainClockTests
{
    private static readonly DateTimeOffset Genesis = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(499, 0)]
    [InlineData(500, 1)]
    [InlineData(1999, 3)]
    [InlineData(60_000, 120)]
    public void Head_IsFloorOfElapsedOverInterval(int elapsedMs, long expected)
    {
        var time = new FakeTimeProvider(Genesis.AddMilliseconds(elapsedMs));

        Assert.Equal(expected, new ChainClock(Genesis, 500, 100, time).Head);
    }

    [Fact]
    public void Head_BeforeGenesis_IsZero()
    {
        var time = new FakeTimeProvider(Genesis.AddSeconds(-10));

        Assert.Equal(0, new ChainClock(Genesis, 500, 100, time).Head);
    }

    [Fact]
    public void Head_AdvancesWithTheClock()
    {
        var time = new FakeTimeProvider(Genesis);
        var clock = new ChainClock(Genesis, 100, 10, time);

        time.Advance(TimeSpan.FromMilliseconds(250));

        Assert.Equal(2, clock.Head);
    }

    [Theory]
    [InlineData(0, 0, 0, 10)]
    [InlineData(9, 0, 0, 10)]
    [InlineData(10, 1, 10, 20)]
    [InlineData(25, 2, 20, 30)]
    public void EpochMath_EpochCoversHalfOpenRange(long height, long epoch, long start, long end)
    {
        var clock = new ChainClock(Genesis, 500, 10, new FakeTimeProvider(Genesis));

        Assert.Equal(epoch, clock.EpochOf(height));
        Assert.Equal(start, clock.EpochStart(height));
        Assert.Equal(end, clock.EpochEnd(height));
    }

    [Fact]
    public void BlockTimestampNanos_IsGenesisPlusHeightTimesInterval()
    {
        var clock = new ChainClock(Genesis, 500, 10, new FakeTimeProvider(Genesis));

        var expected = (ulong)(Genesis.ToUnixTimeMilliseconds() + 1500) * 1_000_000UL;

        Assert.Equal(expected, clock.BlockTimestampNanos(3));
    }
}
