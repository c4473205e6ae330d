using Knd.Maintenance;
using Knd.Neard;

namespace Knd.Tests.Maintenance;

public sealed class MaintenanceWindowChooserTests
{
    private const long Margin = MaintenanceWindowChooser.SafetyMargin;

    [Fact]
    public void Choose_NoWindows_RefusesNamingTheEpochEnd()
    {
        var choice = MaintenanceWindowChooser.Choose(1000, [], MaintenanceTarget.Largest, epochEnd: 1500);

        Assert.False(choice.Ok);
        Assert.Equal("no duty-free window left in this epoch; try again after height 1500 (the epoch end)", choice.Refusal);
    }

    [Fact]
    public void Choose_NoWindowsAndUnknownEpochEnd_RefusesNamingTheNextEpoch()
    {
        var choice = MaintenanceWindowChooser.Choose(1000, [], MaintenanceTarget.AtLeast(5), epochEnd: null);

        Assert.Equal("no duty-free window left in this epoch; try again in the next epoch", choice.Refusal);
    }

    [Fact]
    public void Choose_NoLength_PicksLargestNotShortest_KuutamodUnderflowRegression()
    {
        // kuutamod computed start - end on u64: every length wrapped around, and the shortest
        // window came out as the "largest". Here that would be [1010, 1012).
        BlockRange[] windows = [new(1010, 1012), new(1020, 1040), new(1050, 1053)];

        var choice = MaintenanceWindowChooser.Choose(1000, windows, MaintenanceTarget.Largest, 1100);

        Assert.True(choice.Ok, choice.Refusal);
        Assert.Equal(1020, choice.ShutdownAt);
        Assert.Equal(new BlockRange(1020, 1040), choice.Window);
        Assert.Equal(20, choice.Downtime);
    }

    [Fact]
    public void Choose_NoLength_LargestFirst_IsChosen()
    {
        BlockRange[] windows = [new(1010, 1050), new(1060, 1062), new(1070, 1075)];

        Assert.Equal(1010, MaintenanceWindowChooser.Choose(1000, windows, MaintenanceTarget.Largest, null).ShutdownAt);
    }

    [Fact]
    public void Choose_NoLength_LargestLast_IsChosen()
    {
        BlockRange[] windows = [new(1010, 1012), new(1020, 1025), new(1070, 1099)];

        Assert.Equal(1070, MaintenanceWindowChooser.Choose(1000, windows, MaintenanceTarget.Largest, null).ShutdownAt);
    }

    [Fact]
    public void Choose_NoLength_TiesGoToTheEarliest_WhateverTheInputOrder()
    {
        BlockRange[] windows = [new(1050, 1060), new(1010, 1020), new(1030, 1035)];

        var choice = MaintenanceWindowChooser.Choose(1000, windows, MaintenanceTarget.Largest, null);

        Assert.Equal(new BlockRange(1010, 1020), choice.Window);
        Assert.Equal(1010, choice.ShutdownAt);
    }

    [Fact]
    public void Choose_LengthZero_MeansLargest_AsInKuutamod()
    {
        BlockRange[] windows = [new(1010, 1012), new(1020, 1040)];

        Assert.Equal(1020, MaintenanceWindowChooser.Choose(1000, windows, MaintenanceTarget.AtLeast(0), null).ShutdownAt);
    }

    [Fact]
    public void Choose_NoLength_MeasuresOnlyTheUsablePartOfAWindowThatHasBegun()
    {
        // [1000, 1012) has begun: from head + margin only 10 heights are left, fewer than [1020, 1031)'s 11.
        BlockRange[] windows = [new(1000, 1012), new(1020, 1031)];

        var choice = MaintenanceWindowChooser.Choose(1000, windows, MaintenanceTarget.Largest, null);

        Assert.Equal(1020, choice.ShutdownAt);
    }

    [Fact]
    public void Choose_WindowAlreadyPassed_IsIgnored()
    {
        // Ends at head + margin: no usable height is left in it.
        BlockRange[] windows = [new(990, 1000 + Margin), new(1030, 1032)];

        var choice = MaintenanceWindowChooser.Choose(1000, windows, MaintenanceTarget.Largest, null);

        Assert.Equal(new BlockRange(1030, 1032), choice.Window);
    }

    [Fact]
    public void Choose_OnlyPassedWindows_RefusesAsNoWindow()
    {
        BlockRange[] windows = [new(990, 995), new(1000, 1002)];

        var choice = MaintenanceWindowChooser.Choose(1000, windows, MaintenanceTarget.Largest, 1200);

        Assert.Equal("no duty-free window left in this epoch; try again after height 1200 (the epoch end)", choice.Refusal);
    }

    [Fact]
    public void Choose_WindowBegunAtHead_StopsAtHeadPlusMargin()
    {
        var choice = MaintenanceWindowChooser.Choose(1000, [new BlockRange(1000, 1050)], MaintenanceTarget.Largest, null);

        Assert.Equal(1000 + Margin, choice.ShutdownAt);
        Assert.Equal(new BlockRange(1000, 1050), choice.Window);
        Assert.Equal(50 - Margin, choice.Downtime);
    }

    [Fact]
    public void Choose_WindowWithOneHeightAfterMargin_IsStillUsable()
    {
        var choice = MaintenanceWindowChooser.Choose(1000, [new BlockRange(995, 1000 + Margin + 1)], MaintenanceTarget.Largest, null);

        Assert.Equal(1000 + Margin, choice.ShutdownAt);
        Assert.Equal(1, choice.Downtime);
    }

    [Fact]
    public void Choose_Length_TakesTheFirstWindowLongEnough_NotTheLargest()
    {
        BlockRange[] windows = [new(1010, 1013), new(1020, 1026), new(1030, 1090)];

        var choice = MaintenanceWindowChooser.Choose(1000, windows, MaintenanceTarget.AtLeast(5), null);

        Assert.Equal(1020, choice.ShutdownAt);
        Assert.Equal(new BlockRange(1020, 1026), choice.Window);
    }

    [Fact]
    public void Choose_LengthExactlyTheUsableHeights_Fits()
    {
        var choice = MaintenanceWindowChooser.Choose(1000, [new BlockRange(1000, 1010)], MaintenanceTarget.AtLeast(10 - Margin), null);

        Assert.Equal(1000 + Margin, choice.ShutdownAt);
    }

    [Fact]
    public void Choose_LengthCountsFromHeadPlusMargin_NotFromTheWindowStart()
    {
        // 10 heights in the window, but only 8 once the margin is taken.
        var choice = MaintenanceWindowChooser.Choose(1000, [new BlockRange(1000, 1010)], MaintenanceTarget.AtLeast(9), 1100);

        Assert.False(choice.Ok);
        Assert.Contains("the largest has 8 usable heights, [1002, 1010) (heights 1002 to 1009)", choice.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_LengthLongerThanEveryWindow_RefusesNamingTheLargest()
    {
        BlockRange[] windows = [new(1010, 1015), new(1020, 1032), new(1040, 1043)];

        var choice = MaintenanceWindowChooser.Choose(1000, windows, MaintenanceTarget.AtLeast(100), 1100);

        Assert.Equal(
            "no duty-free window of at least 100 heights is left in this epoch; the largest has 12 usable heights, [1020, 1032) (heights 1020 to 1031); ask for less or try again after height 1100 (the epoch end)",
            choice.Refusal);
    }

    [Fact]
    public void Choose_NegativeLength_Refuses()
    {
        Assert.Equal("the minimum length -1 is negative", MaintenanceWindowChooser.Choose(1000, [new BlockRange(1010, 1020)], MaintenanceTarget.AtLeast(-1), null).Refusal);
    }

    [Fact]
    public void Choose_BothLengthAndHeight_Refuses()
    {
        var choice = MaintenanceWindowChooser.Choose(1000, [new BlockRange(1010, 1020)], new MaintenanceTarget(5, 1015), null);

        Assert.Equal("give either a minimum length or a shutdown height, not both", choice.Refusal);
    }

    [Fact]
    public void Choose_HeightInsideAWindow_IsUsedAsIs()
    {
        BlockRange[] windows = [new(1010, 1020), new(1030, 1040)];

        var choice = MaintenanceWindowChooser.Choose(1000, windows, MaintenanceTarget.At(1035), null);

        Assert.Equal(1035, choice.ShutdownAt);
        Assert.Equal(new BlockRange(1030, 1040), choice.Window);
        Assert.Equal(5, choice.Downtime);
    }

    [Fact]
    public void Choose_HeightAtTheWindowEnd_IsInsideADuty()
    {
        // Half-open: the end height itself has a duty.
        BlockRange[] windows = [new(1010, 1020), new(1030, 1040)];

        var choice = MaintenanceWindowChooser.Choose(1000, windows, MaintenanceTarget.At(1020), null);

        Assert.Equal("height 1020 is inside a block or chunk production duty; the next duty-free heights are [1030, 1040) (heights 1030 to 1039)", choice.Refusal);
    }

    [Fact]
    public void Choose_HeightAtTheWindowStart_IsUsable()
    {
        Assert.Equal(1010, MaintenanceWindowChooser.Choose(1000, [new BlockRange(1010, 1020)], MaintenanceTarget.At(1010), null).ShutdownAt);
    }

    [Fact]
    public void Choose_HeightInsideADutyWithNoWindowAfter_SaysSo()
    {
        var choice = MaintenanceWindowChooser.Choose(1000, [new BlockRange(1010, 1020)], MaintenanceTarget.At(1025), 1100);

        Assert.Equal("height 1025 is inside a block or chunk production duty, and no duty-free height follows it in this epoch after height 1100 (the epoch end)", choice.Refusal);
    }

    [Fact]
    public void Choose_HeightAlreadyPassed_Refuses()
    {
        Assert.Equal("height 1000 has already passed (the head is at 1000)", MaintenanceWindowChooser.Choose(1000, [new BlockRange(990, 1100)], MaintenanceTarget.At(1000), null).Refusal);
        Assert.Equal("height 900 has already passed (the head is at 1000)", MaintenanceWindowChooser.Choose(1000, [new BlockRange(800, 1100)], MaintenanceTarget.At(900), null).Refusal);
    }

    [Fact]
    public void Choose_HeightWithinTheMargin_RefusesNamingTheEarliestHeight()
    {
        var choice = MaintenanceWindowChooser.Choose(1000, [new BlockRange(1000, 1100)], MaintenanceTarget.At(1001), null);

        Assert.Equal($"height 1001 is too close to the head (1000): setting it takes up to {Margin} heights; choose {1000 + Margin} or later", choice.Refusal);
        Assert.Equal(1000 + Margin, MaintenanceWindowChooser.Choose(1000, [new BlockRange(1000, 1100)], MaintenanceTarget.At(1000 + Margin), null).ShutdownAt);
    }

    [Fact]
    public void Choose_HeightBeyondTheEpoch_Refuses()
    {
        var choice = MaintenanceWindowChooser.Choose(1000, [new BlockRange(1090, 1100)], MaintenanceTarget.At(1100), 1100);

        Assert.Equal("height 1100 is beyond this epoch, which ends at 1100, and the next epoch's duties are not known yet; choose a height before 1100 or try again after it", choice.Refusal);
    }

    [Fact]
    public void Choose_EmptyAndReversedWindows_AreIgnored()
    {
        BlockRange[] windows = [new(1010, 1010), new(1030, 1020), new(1040, 1042)];

        Assert.Equal(new BlockRange(1040, 1042), MaintenanceWindowChooser.Choose(1000, windows, MaintenanceTarget.Largest, null).Window);
    }

    [Fact]
    public void FindNextWindow_ReturnsTheUsablePartOfTheFirstLongEnoughWindow()
    {
        BlockRange[] windows = [new(995, 1004), new(1010, 1012), new(1020, 1030)];

        Assert.Equal(new BlockRange(1000 + Margin, 1004), MaintenanceWindowChooser.FindNextWindow(1000, windows, 2));
        Assert.Equal(new BlockRange(1020, 1030), MaintenanceWindowChooser.FindNextWindow(1000, windows, 3));
        Assert.Null(MaintenanceWindowChooser.FindNextWindow(1000, windows, 11));
    }

    [Fact]
    public void FindNextWindow_SkipsPassedWindows()
    {
        BlockRange[] windows = [new(990, 1001), new(1050, 1051)];

        Assert.Equal(new BlockRange(1050, 1051), MaintenanceWindowChooser.FindNextWindow(1000, windows, 1));
        Assert.Null(MaintenanceWindowChooser.FindNextWindow(1000, [], 1));
    }
}
