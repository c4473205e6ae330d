
namespace Knd.Tests.Supervision;

public sealed class VotingTests
{
    private static AcquireCompletedEvent Acquire(LockAcquireOutcome outcome) =>
        new(MachineHarness.Session, outcome);

    [Fact]
    public void Voting_LockFree_AcquiresWithItsSession()
    {
        var h = new MachineHarness();
        h.StartAndVote();

        h.Send(new LockObservedEvent(LockObservation.Free(5)));

        Assert.Equal(MachineHarness.Session, h.Last<AcquireLockAction>().SessionId);
    }

    [Fact]
    public void Voting_BeforeFirstObservation_DoesNotAcquire()
    {
        var h = new MachineHarness();
        h.StartAndVote();

        h.Advance(TimeSpan.FromSeconds(1));

        Assert.Empty(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void Voting_LockHeldByOther_WaitsWithoutPolling()
    {
        var h = new MachineHarness();
        h.StartAndVote();

        h.ObserveLock("other-session", 9);
        h.Advance(TimeSpan.FromSeconds(2));

        Assert.Empty(h.Actions.OfType<AcquireLockAction>());
        Assert.Equal("node-b", h.Machine.Snapshot().LeaderNodeId);
    }

    [Fact]
    public void Voting_Paused_NeverAcquiresAFreeLock()
    {
        var h = new MachineHarness();
        h.StartAndVote();

        h.Send(new PauseObservedEvent(true));
        h.Send(new LockObservedEvent(LockObservation.Free(5)));
        h.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(h.Actions.OfType<AcquireLockAction>());

        h.Send(new PauseObservedEvent(false));
        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void Voting_AcquireRefusedByLockDelay_RetriesAfterInterval()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        h.ObserveLock(null, 11);

        h.Send(Acquire(LockAcquireOutcome.LockDelay));
        Assert.Single(h.Actions.OfType<AcquireLockAction>());

        h.Advance(h.Timings.AcquireRetryInterval + h.Timings.TickInterval);
        Assert.Equal(2, h.Actions.OfType<AcquireLockAction>().Count());
    }

    [Fact]
    public void Voting_Acquired_ConfirmsWithConsistentReadBeforeSigning()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        h.ObserveLock(null, 11);

        h.Send(Acquire(LockAcquireOutcome.Acquired));

        Assert.Equal(SupervisorState.Voting, h.State);
        Assert.Single(h.Actions.OfType<ConfirmLockAction>());
        Assert.Empty(h.Actions.OfType<InstallKeyAction>());

        h.Send(new LockConfirmedEvent(MachineHarness.Session, true, 12, null));
        Assert.Equal(SupervisorState.Validating, h.State);
        Assert.Single(h.Actions.OfType<InstallKeyAction>());
        Assert.Equal(12UL, h.Machine.Snapshot().FencingIndex);
    }

    [Fact]
    public void Voting_ConfirmationShowsAnotherHolder_NeverPromotes()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        h.ObserveLock(null, 11);
        h.Send(Acquire(LockAcquireOutcome.Acquired));

        h.Send(new LockConfirmedEvent(MachineHarness.Session, false, 0, null));

        Assert.Equal(SupervisorState.Voting, h.State);
        Assert.Empty(h.Actions.OfType<InstallKeyAction>());
        Assert.DoesNotContain(h.Actions.OfType<StartNeardAction>(), s => s.Mode == NeardMode.Validator);
    }

    [Fact]
    public void Voting_ConfirmationReadFails_RetriesAndStaysPassive()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        h.ObserveLock(null, 11);
        h.Send(Acquire(LockAcquireOutcome.Acquired));

        h.Send(new LockConfirmedEvent(MachineHarness.Session, false, 0, new LockServiceError(LockServiceFailure.Unavailable, "No cluster leader")));
        h.Advance(h.Timings.AcquireRetryInterval + h.Timings.TickInterval);

        Assert.Equal(SupervisorState.Voting, h.State);
        Assert.Equal(2, h.Actions.OfType<ConfirmLockAction>().Count());
    }

    [Fact]
    public void Voting_AcquireSaysSessionGone_CreatesNewSession()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        h.ObserveLock(null, 11);

        h.Send(Acquire(LockAcquireOutcome.SessionGone));

        Assert.Equal(SupervisorState.Registering, h.State);
        Assert.Equal(2, h.Actions.OfType<CreateSessionAction>().Count());
    }

    [Fact]
    public void Voting_Renew404_ReRegisters()
    {
        var h = new MachineHarness();
        h.StartAndVote();

        h.Send(new SessionRenewFailedEvent(MachineHarness.Session, new LockServiceError(LockServiceFailure.SessionGone, "Session id not found")));

        Assert.Equal(SupervisorState.Registering, h.State);
    }

    [Fact]
    public void Voting_SessionNotProvablyAlive_DoesNotAcquire()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        var transient = new LockServiceError(LockServiceFailure.Unreachable, "timed out");

        h.Advance(h.Timings.FenceAfter);
        h.Send(new SessionRenewFailedEvent(MachineHarness.Session, transient));
        h.Send(new LockObservedEvent(LockObservation.Free(5)));

        Assert.Empty(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void Voting_HandoverHintForAnotherNode_LeavesTheLockDuringGrace()
    {
        var h = new MachineHarness();
        h.StartAndVote();

        h.ObserveLock(null, 20, handoverTo: "node-c");
        h.AdvanceLive(h.Timings.HandoverGrace - TimeSpan.FromMilliseconds(200));
        Assert.Empty(h.Actions.OfType<AcquireLockAction>());

        h.AdvanceLive(TimeSpan.FromMilliseconds(400));
        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void Voting_HandoverHintForThisNode_AcquiresAtOnce()
    {
        var h = new MachineHarness();
        h.StartAndVote();

        h.ObserveLock(null, 20, handoverTo: MachineHarness.NodeId);

        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void Voting_KeyNamesOurSessionAfterALostReply_ConfirmsAndLeads()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        h.ObserveLock(null, 11);
        h.Send(new AcquireCompletedEvent(MachineHarness.Session, LockAcquireOutcome.Failed, new LockServiceError(LockServiceFailure.Unreachable, "timed out")));

        h.ObserveLock(MachineHarness.Session, 12, nodeId: MachineHarness.NodeId);

        Assert.Single(h.Actions.OfType<ConfirmLockAction>());
    }

    [Fact]
    public void Voting_AcquiredWhileStopping_ReleasesWithoutValidating()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        h.ObserveLock(null, 11);

        h.Send(new StopRequestedEvent());
        h.Send(Acquire(LockAcquireOutcome.Acquired));
        h.Send(new NeardStoppedEvent(h.Generation, true, "exited after SIGTERM"));

        Assert.Empty(h.Actions.OfType<InstallKeyAction>());
        Assert.Single(h.Actions.OfType<ReleaseLockAction>());
        Assert.Equal(SupervisorState.Shutdown, h.State);
    }
}
