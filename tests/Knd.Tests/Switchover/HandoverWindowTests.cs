using Knd.Switchover;
using Knd.Neard;

namespace Knd.Tests.Switchover;

public sealed class HandoverWindowTests
{
    // Heights 100..109 are duty-free (End is exclusive, as neard reports it).
    private static readonly BlockRange[] Windows = [new(100, 110)];

    [Fact]
    public void Fits_HeadInsideAWindowWithRoomLeft_HandsOverNow() =>
        Assert.True(HandoverWindow.Fits(Windows, head: 100, neededHeights: 9));

    [Fact]
    public void Fits_HeadIsTheDutyJustBeforeTheWindow_Waits()
    {
        // Height 99 is a duty whose signature may not be written yet: stopping neard now would lose it.
        Assert.False(HandoverWindow.Fits(Windows, head: 99, neededHeights: 1));
    }

    [Fact]
    public void Fits_TooFewHeightsLeftInTheWindow_Waits()
    {
        Assert.True(HandoverWindow.Fits(Windows, head: 104, neededHeights: 5));
        Assert.False(HandoverWindow.Fits(Windows, head: 105, neededHeights: 5));
    }

    [Fact]
    public void Fits_HeadPastEveryWindow_Waits() =>
        Assert.False(HandoverWindow.Fits(Windows, head: 110, neededHeights: 0));

    [Fact]
    public void Fits_NoWindows_Waits() =>
        Assert.False(HandoverWindow.Fits([], head: 100, neededHeights: 0));

    [Theory]
    [InlineData(90, 5, 100L)]   // before the window: its first height
    [InlineData(102, 5, 102L)]  // inside with room: now
    [InlineData(105, 5, null)] // inside, too few heights left, and no later window
    [InlineData(90, 10, null)] // no window long enough
    public void Next_IsTheFirstHeightWhereFitsHolds(long head, long needed, long? expected)
    {
        Assert.Equal(expected, HandoverWindow.Next(Windows, head, needed));
        if (expected is { } next)
        {
            Assert.True(HandoverWindow.Fits(Windows, next, needed));
            Assert.False(next > head && HandoverWindow.Fits(Windows, next - 1, needed));
        }
    }

    [Fact]
    public void Next_SkipsAShortWindowForALaterLongOne()
    {
        BlockRange[] windows = [new(200, 230), new(120, 123)];
        Assert.Equal(200, HandoverWindow.Next(windows, head: 110, neededHeights: 10));
    }
}

public sealed class HandoverHeightsTests
{
    [Theory]
    [InlineData(495)]
    [InlineData(500)]
    [InlineData(505)]
    public void NeededHeights_ANoisyBlockIntervalEstimate_GivesTheSameCount(int intervalMs) =>
        Assert.Equal(8 + SwitchoverCoordinator.SafetyHeights, SwitchoverCoordinator.NeededHeights(TimeSpan.FromSeconds(4), TimeSpan.FromMilliseconds(intervalMs)));

    [Fact]
    public void NeededHeights_ShorterBlocks_NeedMoreHeights() =>
        Assert.Equal(20 + SwitchoverCoordinator.SafetyHeights, SwitchoverCoordinator.NeededHeights(TimeSpan.FromSeconds(4), TimeSpan.FromMilliseconds(200)));
}
