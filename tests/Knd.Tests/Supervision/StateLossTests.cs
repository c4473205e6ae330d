namespace Knd.Tests.Supervision;

/// <summary>
/// Issue 11 item 1: the lock service forgets (Consul killed and started empty, a snapshot restore).
/// With Behavior=release the lock key never disappears and the index never goes backwards in normal
/// operation, so either means an old leader may still sign until its next renewal fails: nobody takes
/// the lock for TTL + lock-delay (with fast failover: the lock-delay, which covers the fence bound)
/// after first seeing it, and a leader that sees it stops at once.
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
    public void WithFastFailover_LockKeyMissing_WaitsTheLockDelay_WhichOutlastsTheOldLeadersFence(int ttlSeconds)
    {
        // docs/failover-algorithm.md: an old leader's neard is dead by FenceBound after the loss, and
        // with fast failover the lock-delay is at least FenceBound + margin (checked at start).
        var timings = FailoverTimings.From(TimeSpan.FromSeconds(ttlSeconds), null, null, TimeSpan.FromSeconds(30), fastFailover: true);
        Assert.Null(timings.Check());
        Assert.Equal(timings.LockDelay, timings.ForgottenStateWait);
        Assert.True(timings.ForgottenStateWait >= timings.FenceBound + timings.FastFailoverMargin);
        Assert.True(timings.ForgottenStateWait < timings.SessionTtl + timings.LockDelay);

        var h = new MachineHarness(timings: timings);
        h.StartAndVote();
        h.Send(new LockObservedEvent(LockObservation.Missing(3)));
        h.AdvanceLive(timings.FenceBound + timings.FastFailoverMargin - timings.TickInterval);
        Assert.Empty(h.Actions.OfType<AcquireLockAction>());

        h.AdvanceLive(timings.ForgottenStateWait - (timings.FenceBound + timings.FastFailoverMargin) + (timings.TickInterval * 2));
        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void WithFastFailover_ALockDelayBelowTheFence_StillWaitsOutTheFence()
    {
        // Timings built without the start-up check (a test, a future caller): the wait never drops below the fence.
        var timings = FailoverTimings.From(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), null, TimeSpan.FromSeconds(30), fastFailover: true);
        Assert.NotNull(timings.Check());
        Assert.Equal(timings.FenceBound + timings.FastFailoverMargin, timings.ForgottenStateWait);
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
