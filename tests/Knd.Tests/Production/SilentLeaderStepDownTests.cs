using Knd.Cluster;
using Knd.Production;
using Knd.Tests.Infrastructure;

namespace Knd.Tests.Production;

/// <summary>The shell's silent-leader rule: hand over to the readiest passive, never to nobody.</summary>
public sealed class SilentLeaderStepDownTests : IDisposable
{
    private readonly ProductionBook _book = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly SilentLeaderStepDown _stepDown;

    public SilentLeaderStepDownTests()
    {
        _stepDown = new SilentLeaderStepDown("node-a", _book, _logs.CreateFactory().CreateLogger("Knd.Production"));
    }

    public void Dispose() => _logs.Dispose();

    [Fact]
    public void SilentLeader_HandsOverToTheReadiestPassive_WithReasonNotProducing()
    {
        var cluster = Cluster(Passive("node-b", 100), Passive("node-c", 104), Passive("node-d", 110, synced: false));

        var handover = _stepDown.Consider(Leader(notProducing: true), cluster);

        Assert.Equal(new HandoverNowEvent("node-c", DemotionReason.NotProducing), handover);
        Assert.False(_book.StepDownBlocked);
        Assert.Contains(_logs.Lines, l => l.Contains("[3257]", StringComparison.Ordinal) && l.Contains("node-c", StringComparison.Ordinal));
    }

    [Fact]
    public void SilentLeader_ChoosesAsTheSwitchoverDoes()
    {
        var cluster = Cluster(Passive("node-b", 100), Passive("node-c", 104, alive: false), Passive("node-a", 200), Passive("node-e", 90));

        var handover = _stepDown.Consider(Leader(notProducing: true), cluster);

        Assert.Equal(cluster.ReadiestPassive("node-a")!.Info.NodeId, handover!.Target);
        Assert.Equal("node-b", handover.Target);
    }

    [Fact]
    public void SilentLeader_NeverHandsOverToAPassiveThatWillNotContend()
    {
        // node-c has the higher head but is in a back-off (a not-producing leader before, say).
        var cluster = Cluster(Passive("node-b", 100), new Member(new MemberInfo("node-c", "Voting", true, true, 120, HeldOff: true), true));

        Assert.Equal("node-b", _stepDown.Consider(Leader(notProducing: true), cluster)?.Target);
        Assert.Null(new SilentLeaderStepDown("node-a", _book, _logs.CreateFactory().CreateLogger("x")).Consider(Leader(notProducing: true), Cluster(cluster.Members[1])));
    }

    [Fact]
    public void SilentLeader_AsksOnce_ThenLeavesItToTheMachine()
    {
        var cluster = Cluster(Passive("node-b", 100));

        Assert.NotNull(_stepDown.Consider(Leader(notProducing: true), cluster));
        Assert.Null(_stepDown.Consider(Leader(notProducing: true), cluster));
        Assert.Null(_stepDown.Consider(Leader(notProducing: true), cluster));
    }

    [Fact]
    public void SilentLeader_WithNoPassiveReady_StaysAndSaysSoOnce_ThenHandsOverWhenOneIsReady()
    {
        var none = Cluster(Passive("node-b", 100, healthy: false), Member("node-c", "Syncing", 100));

        Assert.Null(_stepDown.Consider(Leader(notProducing: true), none));
        Assert.Null(_stepDown.Consider(Leader(notProducing: true), none));

        Assert.True(_book.StepDownBlocked);
        Assert.Single(_logs.Lines, l => l.Contains("[3256]", StringComparison.Ordinal));

        var handover = _stepDown.Consider(Leader(notProducing: true), Cluster(Passive("node-b", 100)));
        Assert.Equal("node-b", handover?.Target);
        Assert.False(_book.StepDownBlocked);
    }

    [Fact]
    public void ProducingLeader_OrPassive_NeverHandsOver_AndClearsTheBlockedFlag()
    {
        var cluster = Cluster(Passive("node-b", 100));
        _stepDown.Consider(Leader(notProducing: true), Cluster());
        Assert.True(_book.StepDownBlocked);

        Assert.Null(_stepDown.Consider(Leader(notProducing: false), cluster));
        Assert.False(_book.StepDownBlocked);
        Assert.Null(_stepDown.Consider(Leader(notProducing: false) with { IsLeader = false }, cluster));
        Assert.Null(_stepDown.Consider(Leader(notProducing: false) with { Production = null }, cluster));
    }

    [Fact]
    public void SilentAgainAfterProducing_AsksAgain()
    {
        var cluster = Cluster(Passive("node-b", 100));
        Assert.NotNull(_stepDown.Consider(Leader(notProducing: true), cluster));
        _stepDown.Consider(Leader(notProducing: false), cluster);

        Assert.NotNull(_stepDown.Consider(Leader(notProducing: true), cluster));
    }

    private static SupervisorSnapshot Leader(bool notProducing) =>
        new(SupervisorState.Validating, true, "node-a", 42, 100, false, true, "s", TimeSpan.Zero, 7, false, null, TimeSpan.Zero,
            Production: new ProductionView(3, notProducing ? 11 : 0, 0, 5, 10, 14, notProducing, null, null, 100));

    private static ClusterObservation Cluster(params Member[] members) => ClusterObservation.Empty with { Members = members, Index = 5 };

    private static Member Passive(string node, long height, bool synced = true, bool healthy = true, bool alive = true) =>
        new(new MemberInfo(node, "Voting", synced, healthy, height), alive);

    private static Member Member(string node, string state, long height) => new(new MemberInfo(node, state, true, true, height), true);
}
