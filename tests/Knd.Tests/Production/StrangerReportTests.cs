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

    private static SupervisorSnapshot Snapshot(long? stranger) =>
        new(SupervisorState.Voting, false, null, 42, 100, false, true, "s", TimeSpan.Zero, null, true, null, TimeSpan.Zero,
            Production: new ProductionView(0, 0, 0, 0, 0, 0, false, stranger, stranger is null ? null : TimeSpan.Zero, 100));
}
