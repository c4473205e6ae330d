
namespace Knd.Tests.Supervision;

public sealed class PassiveStatesTests
{
    [Fact]
    public void Startup_FirstTick_StartsNeardAsVoter()
    {
        var h = new MachineHarness();

        var actions = h.Send(TickEvent.Instance);

        var start = Assert.Single(actions.OfType<StartNeardAction>());
        Assert.Equal(NeardMode.Voter, start.Mode);
        Assert.Equal(SupervisorState.Startup, h.State);
    }

    [Fact]
    public void Startup_RpcAnswersSynced_PassesSyncingAndCreatesSession()
    {
        var h = new MachineHarness();

        h.StartAndSync();

        Assert.Equal(SupervisorState.Registering, h.State);
        Assert.Single(h.Actions.OfType<CreateSessionAction>());
        Assert.Equal(
            [SupervisorState.Syncing, SupervisorState.Registering],
            h.Transitions.Select(t => t.To));
    }

    [Fact]
    public void Syncing_NeardStillSyncing_NeverRegisters()
    {
        var h = new MachineHarness();
        h.Send(TickEvent.Instance);
        h.Send(new NeardStartedEvent(h.Generation, 100));

        for (var height = 1; height < 50; height++)
        {
            h.Syncing(height);
            h.Advance(TimeSpan.FromMilliseconds(500));
        }

        Assert.Equal(SupervisorState.Syncing, h.State);
        Assert.Empty(h.Actions.OfType<CreateSessionAction>());
    }

    [Fact]
    public void Startup_NeardNeverAnswers_RestartsAfterStartupTimeout()
    {
        var h = new MachineHarness();
        h.Send(TickEvent.Instance);
        h.Send(new NeardStartedEvent(h.Generation, 100));

        h.Advance(h.Timings.NeardStartupTimeout - TimeSpan.FromSeconds(1));
        Assert.Empty(h.Actions.OfType<StopNeardAction>());

        h.Advance(TimeSpan.FromSeconds(2));
        Assert.Single(h.Actions.OfType<StopNeardAction>());

        h.Send(new NeardStoppedEvent(h.Generation, true, "exited after SIGTERM"));
        h.Advance(h.Timings.NeardRestartBackoff + h.Timings.TickInterval);
        Assert.Equal(2, h.Actions.OfType<StartNeardAction>().Count());
    }

    [Fact]
    public void Registering_CreateFails_RetriesWithGrowingBackoff()
    {
        var h = new MachineHarness();
        h.StartAndSync();
        var error = new LockServiceError(LockServiceFailure.Unreachable, "connection refused");

        h.Send(new SessionCreateFailedEvent(error));
        h.Advance(h.Timings.CreateBackoffMin - TimeSpan.FromMilliseconds(100));
        Assert.Single(h.Actions.OfType<CreateSessionAction>());
        h.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(2, h.Actions.OfType<CreateSessionAction>().Count());

        h.Send(new SessionCreateFailedEvent(error));
        h.Advance(h.Timings.CreateBackoffMin * 2 - TimeSpan.FromMilliseconds(100));
        Assert.Equal(2, h.Actions.OfType<CreateSessionAction>().Count());
        h.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(3, h.Actions.OfType<CreateSessionAction>().Count());
    }

    [Fact]
    public void Registering_PermissionDenied_NeverValidates()
    {
        var h = new MachineHarness();
        h.StartAndSync();
        var denied = new LockServiceError(LockServiceFailure.Refused, "Consul refused the ACL token (403): Permission denied");

        for (var i = 0; i < 20; i++)
        {
            h.Send(new SessionCreateFailedEvent(denied));
            h.AdvanceLive(h.Timings.CreateBackoffMax);
        }

        Assert.Equal(SupervisorState.Registering, h.State);
        Assert.Contains("Permission denied", h.Machine.Snapshot().LastError);
        Assert.Empty(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void Registering_SessionCreated_EntersVotingAndRenewsEveryQuarterTtl()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        Assert.Equal(SupervisorState.Voting, h.State);

        h.Advance(h.Timings.RenewInterval - TimeSpan.FromMilliseconds(100));
        Assert.Empty(h.Actions.OfType<RenewSessionAction>());
        h.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Single(h.Actions.OfType<RenewSessionAction>());
    }

    [Fact]
    public void Passive_NeardExits_DestroysSessionAndRestartsNeard()
    {
        var h = new MachineHarness();
        h.StartAndVote();

        h.Send(new NeardExitedEvent(h.Generation, 100, 1));

        Assert.Equal(SupervisorState.Startup, h.State);
        Assert.Equal(MachineHarness.Session, h.Last<DestroySessionAction>().SessionId);
        h.Advance(h.Timings.NeardRestartBackoff + h.Timings.TickInterval);
        Assert.Equal(2, h.Actions.OfType<StartNeardAction>().Count());
        Assert.All(h.Actions.OfType<StartNeardAction>(), s => Assert.Equal(NeardMode.Voter, s.Mode));
        Assert.Equal(1, h.Machine.Counters.NeardRestarts);
    }

    [Fact]
    public void Passive_FallsBackToSyncing_DestroysSessionAndStopsContending()
    {
        var h = new MachineHarness();
        h.StartAndVote();

        h.Syncing();
        h.Send(new LockObservedEvent(LockObservation.Free(3)));

        Assert.Equal(SupervisorState.Syncing, h.State);
        Assert.Single(h.Actions.OfType<DestroySessionAction>());
        Assert.Empty(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void Passive_RpcFailsThreeTimes_RestartsNeard()
    {
        var h = new MachineHarness();
        h.StartAndVote();

        h.RpcFails();
        h.RpcFails();
        Assert.Equal(SupervisorState.Voting, h.State);
        h.RpcFails();

        Assert.Equal(SupervisorState.Startup, h.State);
        Assert.Single(h.Actions.OfType<StopNeardAction>());
        Assert.Single(h.Actions.OfType<DestroySessionAction>());
    }

    [Fact]
    public void Passive_HeadStopsAdvancing_CountsAsUnhealthy()
    {
        var h = new MachineHarness();
        h.StartAndVote();

        var elapsed = TimeSpan.Zero;
        while (elapsed <= h.Timings.NeardStallTimeout && h.State == SupervisorState.Voting)
        {
            h.Synced(100);
            h.RenewOk();
            h.Advance(TimeSpan.FromSeconds(1));
            elapsed += TimeSpan.FromSeconds(1);
        }

        Assert.Equal(SupervisorState.Startup, h.State);
        Assert.Contains(h.Transitions, t => t.Reason.Contains("stuck", StringComparison.Ordinal));
    }

    [Fact]
    public void Shutdown_Passive_StopsNeardDestroysSessionThenExits()
    {
        var h = new MachineHarness();
        h.StartAndVote();

        h.Send(new StopRequestedEvent());
        Assert.Equal(SupervisorState.Shutdown, h.State);
        Assert.Single(h.Actions.OfType<StopNeardAction>());
        Assert.Empty(h.Actions.OfType<ExitAction>());

        h.Send(new NeardStoppedEvent(h.Generation, true, "exited after SIGTERM"));
        var destroy = h.Last<DestroySessionAction>();
        Assert.Empty(h.Actions.OfType<ExitAction>());

        h.Send(new SessionDestroyedEvent(destroy.SessionId, true));
        Assert.Equal(0, h.Last<ExitAction>().ExitCode);
    }

    [Fact]
    public void SessionCreatedAfterStopRequested_IsDestroyedNotLeaked()
    {
        var h = new MachineHarness();
        h.StartAndSync();

        h.Send(new StopRequestedEvent());
        h.Send(new SessionCreatedEvent("late-session", h.Clock.Now));

        Assert.Contains(h.Actions.OfType<DestroySessionAction>(), d => d.SessionId == "late-session");
    }
}
