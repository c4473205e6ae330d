namespace Knd.Tests.Supervision;

/// <summary>
/// The failsafe member list: a leader is covered only once its record shows the list of every node
/// whose promise it needs, and a node left off the list of the lock's last holder does not take the
/// lock (the host started while every member was cut off from a Consul that still ran).
/// </summary>
public sealed class FailsafeRosterTests
{
    private static readonly PeerRules Failsafe = new() { Failsafe = true };

    private static IReadOnlyDictionary<string, IReadOnlyList<string>> Rosters(string node, params string[] list) =>
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [node] = list };

    private static MachineHarness Leader(bool publishRoster, params string[] members)
    {
        var h = new MachineHarness(peers: Failsafe) { AutoPublishRoster = publishRoster };
        h.StartAndVote();
        h.Send(new PeerMembersEvent([MachineHarness.NodeId, .. members]));
        h.AdvanceLive(Failsafe.StartupPromiseWait);
        h.StartLeadingFromVoting();
        return h;
    }

    /// <summary>Consul gone for <paramref name="duration"/>; every member always grants.</summary>
    private static void RunWithoutConsul(MachineHarness h, TimeSpan duration, params string[] granting)
    {
        var end = h.Clock.Now + duration;
        var height = 5000L;
        var nextSample = h.Clock.Now;
        while (h.Clock.Now < end && h.Machine.IsLeader)
        {
            foreach (var action in h.Advance(h.Timings.TickInterval))
            {
                if (action is RenewSessionAction renew)
                {
                    h.Send(new SessionRenewFailedEvent(renew.SessionId, new LockServiceError(LockServiceFailure.Unreachable, "timeout")));
                }
                else if (action is RequestPromisesAction request)
                {
                    foreach (var member in granting)
                    {
                        h.Send(new PromiseAnsweredEvent(member, h.Clock.Now, true, request.Duration, null));
                    }
                }
            }

            if (h.Clock.Now >= nextSample)
            {
                nextSample = h.Clock.Now + TimeSpan.FromMilliseconds(500);
                h.Send(new StatusPolledEvent(h.Generation, new NeardHealthSample(++height, false, MachineHarness.AccountId, null)));
            }
        }
    }

    [Fact]
    public void Leader_PublishesEveryMemberAndItself_AndIsCoveredOnceTheRecordShowsIt()
    {
        var h = Leader(publishRoster: true, "node-b", "node-c");

        var peers = h.Machine.Snapshot().Peers!;
        Assert.Equal(["node-a", "node-b", "node-c"], peers.Roster);
        Assert.True(peers.RosterPublished);

        RunWithoutConsul(h, TimeSpan.FromSeconds(30), "node-b", "node-c");
        Assert.True(h.Machine.IsLeader, h.Machine.Snapshot().LastError);
    }

    [Fact]
    public void Leader_WhoseRecordNeverShowedTheList_FencesDespiteEveryPromise()
    {
        // Without the list in its record, a host this leader never saw could take the lock: no failsafe.
        var h = Leader(publishRoster: false, "node-b", "node-c");
        Assert.False(h.Machine.Snapshot().Peers!.RosterPublished);

        RunWithoutConsul(h, TimeSpan.FromSeconds(30), "node-b", "node-c");

        Assert.Equal(DemotionReason.SelfFence, h.Machine.LastDemotion);
    }

    [Fact]
    public void Leader_RecordShowsAListNamingANodeItNoLongerCounts_IsNotCovered()
    {
        var h = Leader(publishRoster: false, "node-b");

        // The record still shows an earlier list with node-x, whose promise this leader does not ask for.
        h.Send(new FailsafeRosterPublishedEvent(MachineHarness.Session, ["node-a", "node-b", "node-x"]));
        Assert.False(h.Machine.Snapshot().Peers!.RosterPublished);
        RunWithoutConsul(h, TimeSpan.FromSeconds(30), "node-b");
        Assert.Equal(DemotionReason.SelfFence, h.Machine.LastDemotion);
    }

    [Fact]
    public void Leader_RecordWriteThatMayNotHaveLanded_IsNotCovered()
    {
        var h = Leader(publishRoster: false, "node-b");
        h.Send(new FailsafeRosterPublishedEvent(MachineHarness.Session, ["node-a", "node-b"]));
        Assert.True(h.Machine.Snapshot().Peers!.RosterPublished);

        // The shell reports the list unknown after a changing write failed.
        h.Send(new FailsafeRosterPublishedEvent(MachineHarness.Session, null));

        Assert.False(h.Machine.Snapshot().Peers!.RosterPublished);
    }

    [Fact]
    public void Leader_MemberRecordDisappears_StillNeedsItsPromiseUntilTheTenureEnds()
    {
        var h = Leader(publishRoster: true, "node-b", "node-c");

        // node-c's record goes (the leader's record may still list it): its promise is still needed.
        h.Send(new PeerMembersEvent([MachineHarness.NodeId, "node-b"]));
        Assert.Equal(["node-a", "node-b", "node-c"], h.Machine.Snapshot().Peers!.Roster);

        RunWithoutConsul(h, TimeSpan.FromSeconds(30), "node-b");
        Assert.Equal(DemotionReason.SelfFence, h.Machine.LastDemotion);
    }

    [Fact]
    public void Leader_NewMemberAppears_JoinsTheListAndItsPromiseIsNeeded()
    {
        var h = Leader(publishRoster: true, "node-b");

        h.Send(new PeerMembersEvent([MachineHarness.NodeId, "node-b", "node-d"]));
        Assert.Equal(["node-a", "node-b", "node-d"], h.Machine.Snapshot().Peers!.Roster);

        RunWithoutConsul(h, TimeSpan.FromSeconds(30), "node-b");
        Assert.Equal(DemotionReason.SelfFence, h.Machine.LastDemotion);
    }

    [Fact]
    public void Passive_ListsNothing_AndAfterLeadingClearsItsList()
    {
        var h = new MachineHarness(peers: Failsafe);
        h.StartAndVote();
        Assert.Null(h.Machine.Snapshot().Peers!.Roster);

        h.AdvanceLive(Failsafe.StartupPromiseWait);
        h.StartLeadingFromVoting();
        Assert.NotNull(h.Machine.Snapshot().Peers!.Roster);
    }

    [Fact]
    public void Newcomer_LeftOffTheLastHoldersList_DoesNotTakeTheFreeLock_AndSaysWhy()
    {
        var h = new MachineHarness(peers: Failsafe);
        h.StartAndVote();
        h.Send(new FailsafeRostersObservedEvent(Rosters("node-b", "node-b", "node-c")));
        h.AdvanceLive(Failsafe.StartupPromiseWait);

        h.ObserveLock(null, 60, nodeId: "node-b");
        h.AdvanceLive(TimeSpan.FromSeconds(30));

        Assert.Empty(h.Actions.OfType<AcquireLockAction>());
        var refusal = h.Machine.Snapshot().Peers!.RosterRefusal;
        Assert.NotNull(refusal);
        Assert.Contains("node-b", refusal, StringComparison.Ordinal);
        Assert.Contains("without this node", refusal, StringComparison.Ordinal);

        // Once the holder lists this node (it reached Consul and saw its record), the lock is fair game.
        h.Send(new FailsafeRostersObservedEvent(Rosters("node-b", "node-a", "node-b", "node-c")));
        h.AdvanceLive(TimeSpan.FromSeconds(1));
        Assert.Single(h.Actions.OfType<AcquireLockAction>());
        Assert.Null(h.Machine.Snapshot().Peers!.RosterRefusal);
    }

    [Fact]
    public void Newcomer_LastHolderPublishedNoList_TakesTheFreeLock()
    {
        var h = new MachineHarness(peers: Failsafe);
        h.StartAndVote();
        h.Send(new FailsafeRostersObservedEvent(Rosters("node-c", "node-c")));
        h.AdvanceLive(Failsafe.StartupPromiseWait);

        h.ObserveLock(null, 60, nodeId: "node-b");
        h.AdvanceLive(TimeSpan.FromSeconds(1));

        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void NodeWithoutTheFailsafe_LeftOffTheList_StillStaysOut()
    {
        // The list binds every node: a host without --failsafe could otherwise slip in behind the promises.
        var h = new MachineHarness(peers: new PeerRules());
        h.StartAndVote();
        h.Send(new FailsafeRostersObservedEvent(Rosters("node-b", "node-b")));

        h.ObserveLock(null, 60, nodeId: "node-b");
        h.AdvanceLive(TimeSpan.FromSeconds(30));

        Assert.Empty(h.Actions.OfType<AcquireLockAction>());
    }
}
