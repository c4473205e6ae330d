using Knd.Cluster;

namespace Knd.Tests.Cluster;

/// <summary>Which passive a switchover hands over to, or why none: one cluster observation in, one answer out.</summary>
public sealed class SwitchoverTargetTests
{
    private const string Leader = "node-a";

    [Fact]
    public void NoneNamed_TheReadyPassiveWithTheHighestHead_NeverTheLeader()
    {
        var cluster = Cluster(Ready("node-b", 100), Ready("node-c", 120), Ready(Leader, 500), Ready("node-d", 110));

        Assert.Equal("node-c", Chosen(cluster, null));
    }

    [Fact]
    public void NoneNamed_EqualHeads_TheFirstListed()
    {
        Assert.Equal("node-b", Chosen(Cluster(Ready("node-b", 100), Ready("node-c", 100)), null));
    }

    [Fact]
    public void NoneNamed_OnlyReadyPassivesCount()
    {
        var cluster = Cluster(
            Member("node-b", "Voting", synced: true, healthy: true, alive: false, 900),
            Member("node-c", "Syncing", synced: false, healthy: true, alive: true, 900),
            Member("node-d", "Voting", synced: true, healthy: false, alive: true, 900),
            HeldOff("node-f", 900),
            Ready("node-e", 10));

        Assert.Equal("node-e", Chosen(cluster, null));
    }

    [Fact]
    public void NoneNamed_NoReadyPassive_IsRefused()
    {
        Assert.Equal("no synced, healthy passive to hand over to", Refusal(Cluster(Ready(Leader, 1), Member("node-b", "Syncing", false, true, true, 1)), null));
    }

    [Fact]
    public void Named_ReadyPassive_IsChosen_EvenWithALowerHead()
    {
        Assert.Equal("node-b", Chosen(Cluster(Ready("node-b", 100), Ready("node-c", 120)), "node-b"));
    }

    [Fact]
    public void Named_TheLeader_IsRefused()
    {
        Assert.Equal("node-a is already the active validator", Refusal(Cluster(Ready("node-b", 1)), Leader));
    }

    [Theory]
    [InlineData("node-x", "cannot switch over to node-x: it is not a member of this validator's cluster")]
    [InlineData("node-b", "cannot switch over to node-b: it has no live Consul session")]
    [InlineData("node-c", "cannot switch over to node-c: it is Syncing, synced=False, healthy=True, held_off=False")]
    [InlineData("node-e", "cannot switch over to node-e: it is Voting, synced=True, healthy=True, held_off=True")]
    public void Named_NotAReadyPassive_SaysWhy(string to, string reason)
    {
        var cluster = Cluster(Member("node-b", "Voting", true, true, alive: false, 1), Member("node-c", "Syncing", false, true, true, 1), Ready("node-d", 1), HeldOff("node-e", 1));

        Assert.Equal(reason, Refusal(cluster, to));
    }

    [Fact]
    public void ASwitchoverAlreadyOpen_IsRefusedFirst()
    {
        var open = new SwitchoverRecord("id1", Leader, "node-c", SwitchoverRecord.WaitingForWindow, "waiting", Leader, DateTimeOffset.UnixEpoch);
        var cluster = Cluster(Ready("node-b", 1)) with { Switchover = open };

        Assert.Equal("a switchover node-a -> node-c is already waiting-for-window", Refusal(cluster, "node-b"));
    }

    [Fact]
    public void AFinishedSwitchover_DoesNotBlockTheNext()
    {
        var done = new SwitchoverRecord("id1", Leader, "node-c", SwitchoverRecord.Done, "done", Leader, DateTimeOffset.UnixEpoch);

        Assert.Equal("node-b", Chosen(Cluster(Ready("node-b", 1)) with { Switchover = done }, null));
    }

    private static string Chosen(ClusterObservation cluster, string? requested)
    {
        var choice = SwitchoverTarget.Choose(cluster, Leader, requested);
        Assert.True(choice.Ok, choice.Refusal);
        return choice.Target.Info.NodeId;
    }

    private static string Refusal(ClusterObservation cluster, string? requested)
    {
        var choice = SwitchoverTarget.Choose(cluster, Leader, requested);
        Assert.False(choice.Ok, $"chose {choice.Target?.Info.NodeId}");
        return choice.Refusal;
    }

    private static ClusterObservation Cluster(params Member[] members) => ClusterObservation.Empty with { Members = members, Index = 7 };

    private static Member Ready(string node, long height) => Member(node, "Voting", true, true, true, height);

    private static Member HeldOff(string node, long height) => new(new MemberInfo(node, "Voting", true, true, height, HeldOff: true), true);

    private static Member Member(string node, string state, bool synced, bool healthy, bool alive, long height) =>
        new(new MemberInfo(node, state, synced, healthy, height), alive);
}
