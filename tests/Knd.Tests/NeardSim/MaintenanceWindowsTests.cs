using NeardSim.Chain;

namespace Knd.Tests.NeardSim;

public sealed class MaintenanceWindowsTests
{
    [Fact]
    public void Compute_DutiesInTheMiddle_SplitsIntoHalfOpenWindows()
    {
        var windows = MaintenanceWindows.Compute(0, 10, h => h is 2 or 3);

        Assert.Equal([new HeightRange(0, 2), new HeightRange(4, 10)], windows);
    }

    [Fact]
    public void Compute_NoDuties_OneWindowFromHeadToEpochEnd()
    {
        Assert.Equal([new HeightRange(3, 10)], MaintenanceWindows.Compute(3, 10, _ => false));
    }

    [Fact]
    public void Compute_AllDuties_NoWindow()
    {
        Assert.Empty(MaintenanceWindows.Compute(0, 10, _ => true));
    }

    [Fact]
    public void Compute_HeadIsDutyFree_WindowStartsAtHeadInclusive()
    {
        var windows = MaintenanceWindows.Compute(5, 10, h => h == 7);

        Assert.Equal([new HeightRange(5, 7), new HeightRange(8, 10)], windows);
    }

    [Fact]
    public void Compute_HeadHasDuty_FirstWindowStartsAfterIt()
    {
        var windows = MaintenanceWindows.Compute(5, 10, h => h is 5 or 9);

        Assert.Equal([new HeightRange(6, 9)], windows);
    }

    [Fact]
    public void Compute_NearcoreExample_MatchesItsTest()
    {
        // Duties chosen to give the windows nearcore's maintenance_windows.rs test expects: [1..2, 4..5].
        var windows = MaintenanceWindows.Compute(0, 6, h => h is 0 or 2 or 3 or 5);

        Assert.Equal([new HeightRange(1, 2), new HeightRange(4, 5)], windows);
    }

    [Fact]
    public void Compute_HeadAtLastHeightOfEpoch_OnlyThatHeight()
    {
        Assert.Equal([new HeightRange(9, 10)], MaintenanceWindows.Compute(9, 10, _ => false));
    }

    [Fact]
    public void Compute_RealScheduleForAccount_MatchesHandComputedWindows()
    {
        // a.test, seed 7, 33 %: duties 0 7 12 15 20 27-32 38 39 in [0, 40).
        var schedule = new DutySchedule(7, 33);

        var windows = MaintenanceWindows.Compute(12, 40, h => schedule.HasDuty("a.test", h));

        Assert.Equal(
            [new HeightRange(13, 15), new HeightRange(16, 20), new HeightRange(21, 27), new HeightRange(33, 38)],
            windows);
    }
}
