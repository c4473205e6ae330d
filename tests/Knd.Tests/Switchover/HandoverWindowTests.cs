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
