
namespace Knd.Tests.Supervision;

public sealed class PlannedWorkTests
{
    [Fact]
    public void Leader_MaintenanceShutdownReached_ReleasesWithoutTtlWaitThenExits()
    {
        var h = new MachineHarness();
        h.StartAndLead();
        h.ScheduleMaintenance(MaintenanceKind.Shutdown, 500);

        h.Send(new NeardExitedEvent(h.Generation, 100, 0));

        Assert.Equal(DemotionReason.Maintenance, h.Machine.LastDemotion);
        var release = h.Last<ReleaseLockAction>();
        h.Send(new LockReleasedEvent(release.SessionId, true));
        h.Send(new SessionDestroyedEvent(release.SessionId, true));
        Assert.Equal(SupervisorState.Shutdown, h.State);
        Assert.Equal(0, h.Last<ExitAction>().ExitCode);
        Assert.Equal(0, h.Machine.Counters.NeardRestarts);
    }

    [Fact]
    public void Leader_MaintenanceRestartReached_ReleasesAndRejoinsAsVoter()
    {
        var h = new MachineHarness();
        h.StartAndLead();
        h.ScheduleMaintenance(MaintenanceKind.Restart, 500);

        h.Send(new NeardExitedEvent(h.Generation, 100, 0));
        h.Send(new LockReleasedEvent(h.Last<ReleaseLockAction>().SessionId, true));

        Assert.Equal(DemotionReason.Maintenance, h.Machine.LastDemotion);
        Assert.Equal(SupervisorState.Startup, h.State);
        Assert.Equal(NeardMode.Voter, h.Last<StartNeardAction>().Mode);
        Assert.Null(h.Machine.ScheduledMaintenance);
        Assert.Empty(h.Actions.OfType<ExitAction>());
    }

    [Fact]
    public void Leader_NeardExitsZeroWithoutMaintenance_CountsAsACrash()
    {
        var h = new MachineHarness();
        h.StartAndLead();

        h.Send(new NeardExitedEvent(h.Generation, 100, 0));

        Assert.Equal(DemotionReason.NeardExit, h.Machine.LastDemotion);
        Assert.Equal(1, h.Machine.Counters.NeardRestarts);
    }

    [Fact]
    public void Leader_MaintenanceCancelled_NeardExitIsACrashAgain()
    {
        var h = new MachineHarness();
        h.StartAndLead();
        h.ScheduleMaintenance(MaintenanceKind.Shutdown, 500);
        h.Send(new MaintenanceCancelledEvent());

        h.Send(new NeardExitedEvent(h.Generation, 100, 0));

        Assert.Equal(DemotionReason.NeardExit, h.Machine.LastDemotion);
    }

    [Fact]
    public void Passive_MaintenanceShutdownNow_StopsNeardAndExits()
    {
        var h = new MachineHarness();
        h.StartAndVote();

        h.Send(new MaintenanceNowEvent(MaintenanceKind.Shutdown, Request: 2));
        Assert.Equal(new MaintenanceAnswer(2, true, null), h.Machine.Snapshot().MaintenanceAnswer);
        h.Send(new NeardStoppedEvent(h.Generation, true, "exited after SIGTERM"));
        h.Send(new SessionDestroyedEvent(MachineHarness.Session, true));

        Assert.Equal(SupervisorState.Shutdown, h.State);
        Assert.Single(h.Actions.OfType<ExitAction>());
    }

    [Fact]
    public void Leader_MaintenanceNow_IsRefusedInItsAnswer_AndNeardKeepsSigning()
    {
        var h = new MachineHarness();
        h.StartAndLead();

        // Sent while this node was passive; the loop promoted it before reading the request.
        h.Send(new MaintenanceNowEvent(MaintenanceKind.Shutdown, Request: 5));

        var answer = h.Machine.Snapshot().MaintenanceAnswer!;
        Assert.Equal((5, false), (answer.Request, answer.Accepted));
        Assert.Contains("leader", answer.Why, StringComparison.Ordinal);
        Assert.True(h.Machine.IsLeader);
        Assert.Empty(h.Actions.OfType<StopNeardAction>());
    }

    [Fact]
    public void Passive_MaintenanceRestartNow_RestartsNeardAndStays()
    {
        var h = new MachineHarness();
        h.StartAndVote();

        h.Send(new MaintenanceNowEvent(MaintenanceKind.Restart));
        h.Send(new NeardStoppedEvent(h.Generation, true, "exited after SIGTERM"));
        h.Advance(h.Timings.TickInterval);

        Assert.Equal(SupervisorState.Startup, h.State);
        Assert.Equal(2, h.Actions.OfType<StartNeardAction>().Count());
        Assert.Empty(h.Actions.OfType<ExitAction>());
    }

    [Fact]
    public void Leader_HandoverNow_StopsNeardThenReleasesNamingTheTarget()
    {
        var h = new MachineHarness();
        h.StartAndLead();

        h.Send(new HandoverNowEvent("node-b"));
        Assert.Empty(h.Actions.OfType<ReleaseLockAction>());
        h.Send(new NeardStoppedEvent(h.Generation, true, "exited after SIGTERM"));

        Assert.Equal(DemotionReason.Switchover, h.Machine.LastDemotion);
        Assert.Equal("node-b", h.Last<ReleaseLockAction>().HandoverTo);
        h.Send(new LockReleasedEvent(MachineHarness.Session, true));
        Assert.Equal(SupervisorState.Startup, h.State);
    }

    [Fact]
    public void Passive_HandoverNow_IsIgnored()
    {
        var h = new MachineHarness();
        h.StartAndVote();

        h.Send(new HandoverNowEvent("node-b"));
        h.Send(new LockObservedEvent(LockObservation.Free(5)));
        h.Send(new AcquireCompletedEvent(MachineHarness.Session, LockAcquireOutcome.Acquired));
        h.Send(new LockConfirmedEvent(MachineHarness.Session, true, 9, null));

        Assert.True(h.Machine.IsLeader);
        Assert.Empty(h.Actions.OfType<StopNeardAction>());
    }

    [Fact]
    public void Leader_MaintenanceConfirmedForAnEarlierNeard_IsIgnored()
    {
        var h = new MachineHarness();
        h.StartAndLead();
        var snapshot = h.Machine.Snapshot();

        h.Send(new MaintenanceScheduledEvent(MaintenanceKind.Shutdown, 500, snapshot.NeardGeneration - 1, snapshot.FencingIndex!.Value, Request: 7));

        Assert.Null(h.Machine.ScheduledMaintenance);
        var answer = h.Machine.Snapshot().MaintenanceAnswer;
        Assert.Equal((7, false), (answer!.Request, answer.Accepted));
        Assert.Contains("neard generation", answer.Why, StringComparison.Ordinal);
        h.Send(new NeardExitedEvent(h.Generation, 100, 0));
        Assert.Equal(DemotionReason.NeardExit, h.Machine.LastDemotion);
    }

    [Fact]
    public void Leader_MaintenanceConfirmedUnderAnEarlierLeadership_IsRefusedInItsAnswer_AndOneForTheCurrentIsTaken()
    {
        var h = new MachineHarness();
        h.StartAndLead(fencingIndex: 42);
        var snapshot = h.Machine.Snapshot();

        h.Send(new MaintenanceScheduledEvent(MaintenanceKind.Shutdown, 500, snapshot.NeardGeneration, 41, Request: 3));

        Assert.Null(h.Machine.ScheduledMaintenance);
        Assert.Equal(new MaintenanceAnswer(3, false, h.Machine.Snapshot().MaintenanceAnswer?.Why), h.Machine.Snapshot().MaintenanceAnswer);
        Assert.NotNull(h.Machine.Snapshot().MaintenanceAnswer!.Why);

        h.Send(new MaintenanceScheduledEvent(MaintenanceKind.Shutdown, 500, snapshot.NeardGeneration, 42, Request: 4));

        Assert.Equal((MaintenanceKind.Shutdown, 500L), h.Machine.ScheduledMaintenance);
        Assert.Equal(new MaintenanceAnswer(4, true, null), h.Machine.Snapshot().MaintenanceAnswer);
    }

    [Fact]
    public void Passive_LeaderMaintenanceConfirmedAfterTheLockWasLost_ALaterCleanExitIsNotMaintenance()
    {
        var h = new MachineHarness();
        h.StartAndLead(fencingIndex: 42);
        var scheduledUnder = h.Machine.Snapshot();

        // The lock is lost (another session took it) while the coordinator waits for neard's reload.
        h.ObserveLock("other-session", 50);
        h.Send(new NeardStoppedEvent(h.Generation, true, "exited after SIGTERM"));
        Assert.Equal(SupervisorState.Startup, h.State);
        h.Send(new MaintenanceScheduledEvent(MaintenanceKind.Shutdown, 500, scheduledUnder.NeardGeneration, scheduledUnder.FencingIndex!.Value));
        h.Send(new NeardStartedEvent(h.Generation, 300));
        h.Synced();

        // The passive's neard stops cleanly for another reason: a restart, not "maintenance reached".
        h.Send(new NeardExitedEvent(h.Generation, 300, 0));

        Assert.Null(h.Machine.ScheduledMaintenance);
        Assert.NotEqual(SupervisorState.Shutdown, h.State);
        Assert.Empty(h.Actions.OfType<ExitAction>());
        Assert.Equal(1, h.Machine.Counters.NeardRestarts);
    }
}
