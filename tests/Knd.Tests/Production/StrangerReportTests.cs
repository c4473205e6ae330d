using Knd.Production;
using Knd.Tests.Infrastructure;

namespace Knd.Tests.Production;

public sealed class StrangerReportTests
{
    [Fact]
    public void EachNewStrangerBlock_IsOneErrorNamingTheHeight()
    {
        using var logs = new CapturingLoggerProvider();
        var report = new StrangerReport(logs.CreateFactory().CreateLogger("Knd.Production"));
        var counters = new SupervisorCounters();

        report.Consider(Snapshot(null), counters);
        counters.StrangerBlocks = 2;
        report.Consider(Snapshot(1234), counters);
        report.Consider(Snapshot(1234), counters);
        counters.StrangerBlocks = 3;
        report.Consider(Snapshot(1240), counters);

        var lines = logs.Lines.Where(l => l.Contains("[3258]", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.StartsWith("Error", lines[0], StringComparison.Ordinal);
        Assert.Contains("height 1234", lines[0], StringComparison.Ordinal);
        Assert.Contains("height 1240", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void BlocksAtTheLeadersDutyHeights_AreOneErrorWithTheCounts_NotAStrangerLine()
    {
        using var logs = new CapturingLoggerProvider();
        var report = new StrangerReport(logs.CreateFactory().CreateLogger("Knd.Production"));
        var counters = new SupervisorCounters { StrangerBlocks = 3, ForeignBlocks = 3 };

        report.Consider(Snapshot(1240, new ForeignView(1230, 1240, 6, 2)), counters);

        var line = Assert.Single(logs.Lines, l => l.Contains("[3259]", StringComparison.Ordinal));
        Assert.StartsWith("Error", line, StringComparison.Ordinal);
        Assert.Contains("6 blocks at heights 1230 to 1240", line, StringComparison.Ordinal);
        Assert.Contains("its neard produced 2", line, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Lines, l => l.Contains("[3258]", StringComparison.Ordinal));
    }

    private static SupervisorSnapshot Snapshot(long? stranger, ForeignView? foreign = null) =>
        new(SupervisorState.Voting, false, null, 42, 100, false, true, "s", TimeSpan.Zero, null, true, null, TimeSpan.Zero,
            Production: new ProductionView(0, 0, 0, 0, 0, 0, false, stranger, stranger is null ? null : TimeSpan.Zero, 100, Foreign: foreign));
}
