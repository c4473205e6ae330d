using Knd.Cluster;
using Knd.Production;

namespace Knd.Tests.Production;

/// <summary>The one-word production verdict of the member record: from the snapshot, and as read back from another host's record.</summary>
public sealed class ProductionVerdictTests
{
    private static SupervisorSnapshot Snapshot(SupervisorState state, ProductionView? production) =>
        new(state, state == SupervisorState.Validating, "node-a", 1, 100, false, true, "s", TimeSpan.Zero, null, false, null, TimeSpan.Zero, Production: production);

    private static ProductionView View(int confidence = 0, int mischance = 0, long produced = 10, bool notProducing = false, long? scanned = 99) =>
        new(confidence, mischance, 5, 5, produced, 2, notProducing, null, null, scanned);

    [Fact]
    public void Of_ALeaderWhoseLastDutyWasProduced_IsProducing() =>
        Assert.Equal("producing", ProductionVerdict.Of(Snapshot(SupervisorState.Validating, View())));

    [Fact]
    public void Of_MissesInARow_CountsToleratedAndMischanceTogether() =>
        Assert.Equal("missing 5", ProductionVerdict.Of(Snapshot(SupervisorState.Validating, View(confidence: 3, mischance: 2))));

    [Fact]
    public void Of_ALeaderJudgedSilent_IsNotProducing() =>
        Assert.Equal("not-producing", ProductionVerdict.Of(Snapshot(SupervisorState.Validating, View(confidence: 3, mischance: 9, notProducing: true))));

    [Theory]
    [InlineData(nameof(SupervisorState.Voting))]
    [InlineData(nameof(SupervisorState.Syncing))]
    [InlineData(nameof(SupervisorState.Startup))]
    public void Of_ANodeThatDoesNotValidate_IsUnknown(string state) =>
        Assert.Equal("unknown", ProductionVerdict.Of(Snapshot(Enum.Parse<SupervisorState>(state), View(confidence: 3, mischance: 9, notProducing: true))));

    [Fact]
    public void Of_NoChainWatchDataYet_IsUnknown()
    {
        Assert.Equal("unknown", ProductionVerdict.Of(Snapshot(SupervisorState.Validating, null)));
        Assert.Equal("unknown", ProductionVerdict.Of(Snapshot(SupervisorState.Validating, View(scanned: null))));
        Assert.Equal("unknown", ProductionVerdict.Of(Snapshot(SupervisorState.Validating, View(produced: 0))));
    }

    [Theory]
    [InlineData("producing", "producing")]
    [InlineData("not-producing", "not-producing")]
    [InlineData("unknown", "unknown")]
    [InlineData("missing 7", "missing 7")]
    [InlineData(null, "unknown")]
    [InlineData("", "unknown")]
    [InlineData("missing 0", "unknown")]
    [InlineData("missing -1", "unknown")]
    [InlineData("missing 99999999999999999999999", "unknown")]
    [InlineData("Producing", "unknown")]
    [InlineData("producing\n", "unknown")]
    [InlineData("missing \u0663", "unknown")]
    public void Read_TakesOnlyTheWrittenForms(string? written, string read) =>
        Assert.Equal(read, MemberProduction.Read(written));

    [Fact]
    public void Kind_DropsTheCountOfMisses()
    {
        Assert.Equal(MemberProduction.Kind("missing 3"), MemberProduction.Kind("missing 4"));
        Assert.NotEqual(MemberProduction.Kind("missing 3"), MemberProduction.Kind("producing"));
        Assert.Null(MemberProduction.Kind(null));
    }
}
