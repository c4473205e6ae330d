namespace Knd.Tests.Supervision;

/// <summary>The tags rule of docs/failover-algorithm.md: --no-failover never contends on its own, --priority defers for a bounded time.</summary>
public sealed class TagsTests
{
    private static MachineHarness Voting(MemberTags tags)
    {
        var h = new MachineHarness(tags: tags);
        h.StartAndVote();
        return h;
    }

    private static ContendersObservedEvent Contenders(params Contender[] contenders) => new(contenders);

    /// <summary>From the first sighting of the free lock: the lock-delay, then the deferral.</summary>
    private static TimeSpan DeferralBound(MachineHarness h) => h.Timings.LockDelay + h.Timings.PriorityDeferral;

    [Fact]
    public void NoFailover_LockFreeForLong_NeverAcquires()
    {
        var h = Voting(new MemberTags { NoFailover = true });

        h.ObserveLock(null, 11);
        h.AdvanceLive(TimeSpan.FromSeconds(60));

        Assert.Empty(h.Actions.OfType<AcquireLockAction>());
        Assert.Equal(SupervisorState.Voting, h.State);
    }

    [Fact]
    public void NoFailover_SwitchoverAddressedToIt_Acquires()
    {
        var h = Voting(new MemberTags { NoFailover = true });

        h.ObserveLock(null, 11, handoverTo: MachineHarness.NodeId);

        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void NoFailover_SwitchoverToAnother_NeverAcquiresAfterTheGrace()
    {
        var h = Voting(new MemberTags { NoFailover = true });

        h.ObserveLock(null, 11, handoverTo: "node-c");
        h.AdvanceLive(h.Timings.HandoverGrace + TimeSpan.FromSeconds(10));

        Assert.Empty(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void HigherPriorityReady_DefersThenContendsWhenItDoesNotTakeTheLock()
    {
        var h = Voting(new MemberTags { Priority = 1 });
        h.Send(Contenders(new Contender("node-b", 5, 10)));

        h.ObserveLock(null, 11);
        h.AdvanceLive(DeferralBound(h) - h.Timings.TickInterval);
        Assert.Empty(h.Actions.OfType<AcquireLockAction>());

        h.AdvanceLive(h.Timings.TickInterval * 2);
        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void HigherPriorityTakesTheLock_ThisNodeNeverContends()
    {
        var h = Voting(new MemberTags { Priority = 1 });
        h.Send(Contenders(new Contender("node-b", 5, 10)));

        h.ObserveLock(null, 11);
        h.AdvanceLive(h.Timings.LockDelay + h.Timings.AcquireRetryInterval);
        h.ObserveLock("session-b", 12);
        h.AdvanceLive(TimeSpan.FromSeconds(30));

        Assert.Empty(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void LowerPriorityReady_DoesNotDefer()
    {
        var h = Voting(new MemberTags { Priority = 5 });
        h.Send(Contenders(new Contender("node-b", 1, 1_000_000)));

        h.ObserveLock(null, 11);

        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void EqualPriority_HigherHeadElsewhere_Defers_LowerHeadDoesNot()
    {
        var behind = Voting(new MemberTags());
        behind.Synced(100);
        behind.Send(Contenders(new Contender("node-b", 0, 200)));
        behind.ObserveLock(null, 11);
        Assert.Empty(behind.Actions.OfType<AcquireLockAction>());

        var ahead = Voting(new MemberTags());
        ahead.Synced(300);
        ahead.Send(Contenders(new Contender("node-b", 0, 200)));
        ahead.ObserveLock(null, 11);
        Assert.Single(ahead.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void BetterContenderGone_ContendsAtOnce()
    {
        var h = Voting(new MemberTags());
        h.Send(Contenders(new Contender("node-b", 3, 10)));
        h.ObserveLock(null, 11);
        Assert.Empty(h.Actions.OfType<AcquireLockAction>());

        h.Send(Contenders());

        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void HigherPriority_SwitchoverAddressedToThisNode_DoesNotDefer()
    {
        var h = Voting(new MemberTags());
        h.Send(Contenders(new Contender("node-b", 9, 10)));

        h.ObserveLock(null, 11, handoverTo: MachineHarness.NodeId);

        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }
}
