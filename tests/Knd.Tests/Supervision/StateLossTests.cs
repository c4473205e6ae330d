namespace Knd.Tests.Supervision;

/// <summary>
/// Issue 11 item 1: the lock service forgets (Consul killed and started empty, a snapshot restore).
/// With Behavior=release the lock key never disappears and the index never goes backwards in normal
/// operation, so either means an old leader may still sign until its next renewal fails: nobody takes
/// the lock for TTL + lock-delay (with fast failover and a known old holder: its fence bound + margin,
/// at least the lock-delay) after first seeing it, and a leader that sees it stops at once.
/// </summary>
public sealed class StateLossTests
{
    [Fact]
    public void Voting_LockKeyMissing_WaitsTtlPlusLockDelayBeforeAcquiring()
    {
        var h = new MachineHarness();
        h.StartAndVote();

        h.Send(new LockObservedEvent(LockObservation.Missing(3)));
        h.AdvanceLive(h.Timings.ForgottenStateWait - h.Timings.TickInterval);
        Assert.Empty(h.Actions.OfType<AcquireLockAction>());
        Assert.NotNull(h.Machine.Snapshot().StateLossHoldOff);

        h.AdvanceLive(h.Timings.TickInterval * 2);
        Assert.Single(h.Actions.OfType<AcquireLockAction>());
        Assert.Null(h.Machine.Snapshot().StateLossHoldOff);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(30)]
    public void WithFastFailover_KeyMissingAfterAHeartbeatingLeader_WaitsTheLockDelay_WhichOutlastsItsFence(int ttlSeconds)
    {
        // docs/failover-algorithm.md: the old leader's neard is dead by its FenceBound after the loss,
        // and its heartbeats reported that bound; the lock-delay covers it (checked at start).
        var timings = FailoverTimings.From(TimeSpan.FromSeconds(ttlSeconds), null, null, TimeSpan.FromSeconds(30), fastFailover: true);
        Assert.Null(timings.Check());
        Assert.Equal(timings.LockDelay, timings.ForgottenStateWaitFor(timings.FenceBound));
        Assert.True(timings.LockDelay < timings.ForgottenStateWait);

        var h = LeaderLostItsState(timings, timings.FenceBound);
        h.AdvanceLive(timings.FenceBound + timings.FastFailoverMargin - timings.TickInterval);
        Assert.Empty(h.Actions.OfType<AcquireLockAction>());

        h.AdvanceLive(timings.LockDelay - (timings.FenceBound + timings.FastFailoverMargin) + (timings.TickInterval * 2));
        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void WithFastFailover_TheOldLeaderReportedALongerFence_WaitsThatFencePlusTheMargin()
    {
        // A leader configured with a longer TTL (its own lock-delay covers its own fence) in a mixed cluster.
        var timings = FailoverTimings.From(TimeSpan.FromSeconds(10), null, null, TimeSpan.FromSeconds(30), fastFailover: true);
        var theirs = TimeSpan.FromSeconds(12);

        var h = LeaderLostItsState(timings, theirs);
        h.AdvanceLive(theirs + timings.FastFailoverMargin - timings.TickInterval);
        Assert.Empty(h.Actions.OfType<AcquireLockAction>());

        h.AdvanceLive(timings.TickInterval * 2);
        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WithFastFailover_HolderUnknown_WaitsTtlPlusLockDelay(bool heartbeatOfAnotherSession)
    {
        // A knd that has not heard the old holder's fence bound (it just started, or the heartbeats
        // came from another session) cannot rely on it.
        var timings = FailoverTimings.From(TimeSpan.FromSeconds(10), null, null, TimeSpan.FromSeconds(30), fastFailover: true);
        var h = LeaderLostItsState(timings, heartbeatOfAnotherSession ? timings.FenceBound : null, heartbeatSession: "older-session");
        h.AdvanceLive(timings.ForgottenStateWait - h.Timings.TickInterval);
        Assert.Empty(h.Actions.OfType<AcquireLockAction>());

        h.AdvanceLive(h.Timings.TickInterval * 2);
        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void WithoutFastFailover_AKnownHolder_StillWaitsTtlPlusLockDelay()
    {
        var timings = FailoverTimings.From(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), null, TimeSpan.FromSeconds(30));
        Assert.Equal(timings.ForgottenStateWait, timings.ForgottenStateWaitFor(timings.FenceBound));

        var h = LeaderLostItsState(timings, timings.FenceBound);
        h.AdvanceLive(timings.ForgottenStateWait - h.Timings.TickInterval);
        Assert.Empty(h.Actions.OfType<AcquireLockAction>());
    }

    /// <summary>
    /// A passive that saw node-b lead session "leader-session", took a heartbeat of <paramref name="heartbeatSession"/>
    /// reporting <paramref name="fenceBound"/> (none when null), then saw the key missing after a watch failure.
    /// </summary>
    private static MachineHarness LeaderLostItsState(FailoverTimings timings, TimeSpan? fenceBound, string heartbeatSession = "leader-session")
    {
        var h = new MachineHarness(timings: timings, peers: new PeerRules { FastFailover = timings.FastFailover });
        h.StartAndVote();
        h.ObserveLock("leader-session", 500, nodeId: "node-b");
        if (fenceBound is { } bound)
        {
            h.Send(new LeaderHeartbeatEvent(heartbeatSession == "leader-session" ? "node-b" : "node-c", heartbeatSession, TimeSpan.Zero, bound));
        }

        h.Send(new LockWatchFailedEvent(new LockServiceError(LockServiceFailure.Unreachable, "connection refused")));
        h.Send(new LockObservedEvent(LockObservation.Missing(3)));
        return h;
    }

    [Fact]
    public void Voting_KeyStaysMissing_TheWaitRunsFromTheFirstSightingOnly()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        h.Send(new LockObservedEvent(LockObservation.Missing(3)));

        // The missing key's index moves as other keys are written; the streak is the same.
        for (var i = 0; i < 10; i++)
        {
            h.AdvanceLive(h.Timings.ForgottenStateWait / 10);
            h.Send(new LockObservedEvent(LockObservation.Missing(4 + (ulong)i)));
        }

        h.AdvanceLive(h.Timings.TickInterval);
        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void Voting_MissingAfterAWatchFailure_StartsTheWaitAgain()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        h.Send(new LockObservedEvent(LockObservation.Missing(3)));
        h.AdvanceLive(h.Timings.ForgottenStateWait - TimeSpan.FromSeconds(1));

        // The watch broke (Consul restarted): the next "missing" may be a new, empty Consul.
        h.Send(new LockWatchFailedEvent(new LockServiceError(LockServiceFailure.Unreachable, "connection refused")));
        h.Send(new LockObservedEvent(LockObservation.Missing(9)));
        h.AdvanceLive(TimeSpan.FromSeconds(2));

        Assert.Empty(h.Actions.OfType<AcquireLockAction>());
        h.AdvanceLive(h.Timings.ForgottenStateWait);
        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void Voting_IndexWentBackwards_WaitsEvenForAFreeKey()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        h.ObserveLock("other-session", 500);

        // A restored snapshot shows the key free at an older index.
        h.Send(new LockObservedEvent(LockObservation.Free(120)));
        h.AdvanceLive(h.Timings.ForgottenStateWait - h.Timings.TickInterval);
        Assert.Empty(h.Actions.OfType<AcquireLockAction>());

        h.AdvanceLive(h.Timings.TickInterval * 2);
        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void Voting_FreeKeyAtAHigherIndex_AcquiresAtOnce()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        h.ObserveLock("other-session", 500);

        h.Send(new LockObservedEvent(LockObservation.Free(501)));

        Assert.Single(h.Actions.OfType<AcquireLockAction>());
        Assert.Null(h.Machine.Snapshot().StateLossHoldOff);
    }

    [Fact]
    public void Leader_IndexWentBackwards_DemotesAtOnceWithStateLost()
    {
        var h = new MachineHarness();
        h.StartAndLead(fencingIndex: 42);
        h.ObserveLock(MachineHarness.Session, 42, nodeId: MachineHarness.NodeId);

        h.Send(new LockObservedEvent(new LockObservation(true, MachineHarness.Session, new LockHolder(MachineHarness.NodeId), 10, 10)));

        Assert.Equal(DemotionReason.StateLost, h.Machine.LastDemotion);
        Assert.IsType<StopNeardAction>(h.Actions[^1]);
    }

    [Fact]
    public void Leader_LockKeyDeletedAfterItsAcquisition_DemotesLockLost()
    {
        var h = new MachineHarness();
        h.StartAndLead(fencingIndex: 42);
        h.ObserveLock(MachineHarness.Session, 42, nodeId: MachineHarness.NodeId);

        h.Send(new LockObservedEvent(LockObservation.Missing(60)));

        Assert.Equal(DemotionReason.LockLost, h.Machine.LastDemotion);
    }

    [Fact]
    public void Leader_MissingAnswerFromBeforeItsAcquisition_IsIgnored()
    {
        var h = new MachineHarness();
        h.StartAndLead(fencingIndex: 42);

        // A watch answer generated before the acquire, delivered after the confirmation.
        h.Send(new LockObservedEvent(LockObservation.Missing(7)));
        h.AdvanceLive(TimeSpan.FromSeconds(1));

        Assert.True(h.Machine.IsLeader);
        Assert.Null(h.Machine.LastDemotion);
    }

    [Fact]
    public void Leader_StateLost_DoesNotContendAgainBeforeTheWait()
    {
        var h = new MachineHarness();
        h.StartAndLead(fencingIndex: 42);
        h.ObserveLock(MachineHarness.Session, 42, nodeId: MachineHarness.NodeId);
        h.Send(new LockObservedEvent(LockObservation.Missing(5)));
        h.Send(new NeardStoppedEvent(h.Generation, true, "exited after SIGTERM"));
        h.Send(new LockReleasedEvent(MachineHarness.Session, false));
        var acquiresBefore = h.Actions.OfType<AcquireLockAction>().Count();

        // Back as a passive with a new session on the empty service.
        h.Send(TickEvent.Instance);
        h.Send(new NeardStartedEvent(h.Generation, 300));
        h.Synced(200);
        h.Send(new SessionCreatedEvent("session-2", h.Clock.Now));
        h.Send(new LockObservedEvent(LockObservation.Missing(6)));
        h.AdvanceLive(h.Timings.ForgottenStateWait - TimeSpan.FromSeconds(1));

        Assert.Equal(acquiresBefore, h.Actions.OfType<AcquireLockAction>().Count());
    }

    [Fact]
    public void Voting_KeyTakenAfterTheSighting_EndsTheWait_SoTheNextReleaseIsTakenAtOnce()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        h.Send(new LockObservedEvent(LockObservation.Missing(3)));

        // Another node waited out its own hold-off and took the key; then its neard crashes and it releases.
        h.ObserveLock("other-session", 9);
        h.ObserveLock(null, 10);

        Assert.Single(h.Actions.OfType<AcquireLockAction>());
        Assert.Null(h.Machine.Snapshot().StateLossHoldOff);
    }

    [Fact]
    public void Voting_IndexWentBackToAKeyHeldInTheRestoredState_KeepsTheWait()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        h.ObserveLock("other-session", 500);

        // A snapshot restore brings back an old holder at an older index: not a new acquisition.
        h.ObserveLock("restored-session", 120);
        h.ObserveLock(null, 121);

        Assert.Empty(h.Actions.OfType<AcquireLockAction>());
        Assert.NotNull(h.Machine.Snapshot().StateLossHoldOff);
    }
}
