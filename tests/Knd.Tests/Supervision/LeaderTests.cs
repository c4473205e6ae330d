
namespace Knd.Tests.Supervision;

public sealed class LeaderTests
{
    [Fact]
    public void Leader_HotSwap_InstallsKeyWithoutRestartingNeard()
    {
        var h = new MachineHarness(PromotionMode.HotSwap);

        h.StartAndLead();

        Assert.True(h.Machine.IsLeader);
        Assert.Single(h.Actions.OfType<InstallKeyAction>());
        Assert.Single(h.Actions.OfType<StartNeardAction>());
        Assert.Empty(h.Actions.OfType<StopNeardAction>());
        Assert.Equal(1, h.Machine.Counters.Promotions);
    }

    [Fact]
    public void Leader_RestartPromotion_StopsVoterBeforeStartingValidator()
    {
        var h = new MachineHarness(PromotionMode.Restart);

        h.StartAndLead();

        var stop = h.IndexOf<StopNeardAction>();
        var validatorStart = h.Actions.FindIndex(a => a is StartNeardAction { Mode: NeardMode.Validator });
        Assert.True(stop >= 0 && validatorStart > stop, "the voter must be stopped before the validator starts");
        Assert.Empty(h.Actions.OfType<InstallKeyAction>());
    }

    [Fact]
    public void Leader_RestartPromotion_VoterStopNotConfirmed_NeverStartsValidator()
    {
        var h = new MachineHarness(PromotionMode.Restart);
        h.StartAndVote();
        h.Send(new LockObservedEvent(LockObservation.Free(7)));
        h.Send(new AcquireCompletedEvent(MachineHarness.Session, LockAcquireOutcome.Acquired));
        h.Send(new LockConfirmedEvent(MachineHarness.Session, true, 42, null));

        h.Send(new NeardStoppedEvent(h.Generation, false, "SIGKILL not confirmed"));
        h.RenewOk();
        h.Advance(TimeSpan.FromSeconds(2));

        Assert.DoesNotContain(h.Actions, a => a is StartNeardAction { Mode: NeardMode.Validator });
        Assert.True(h.Actions.OfType<StopNeardAction>().Count() >= 2, "the stop is retried");
    }

    [Fact]
    public void Leader_CutOffFromConsul_StopsSigningBeforeTtl()
    {
        var h = new MachineHarness();
        h.StartAndLead();
        h.RenewOk();
        var lastRenewSent = h.Clock.Now;

        // Every renewal from now on fails: Consul is unreachable.
        var stopAt = TimeSpan.Zero;
        for (var i = 0; i < 200 && stopAt == TimeSpan.Zero; i++)
        {
            foreach (var action in h.Advance(h.Timings.TickInterval))
            {
                if (action is RenewSessionAction)
                {
                    h.Send(new SessionRenewFailedEvent(MachineHarness.Session, new LockServiceError(LockServiceFailure.Unreachable, "timed out")));
                }

                if (action is StopNeardAction)
                {
                    stopAt = h.Clock.Now;
                }
            }
        }

        Assert.NotEqual(TimeSpan.Zero, stopAt);
        Assert.InRange(stopAt - lastRenewSent, h.Timings.FenceAfter, h.Timings.FenceAfter + h.Timings.TickInterval);
        var neardDeadBy = stopAt - lastRenewSent + h.Timings.NeardStopTimeout + h.Timings.NeardKillConfirmTimeout;
        Assert.True(neardDeadBy < h.Timings.SessionTtl, $"neard is dead by {neardDeadBy} after the last renewal, before the TTL {h.Timings.SessionTtl}");
        Assert.Equal(DemotionReason.SelfFence, h.Machine.LastDemotion);
        Assert.Equal(1, h.Machine.Counters.SelfFences);
        Assert.Empty(h.Actions.OfType<ReleaseLockAction>());
    }

    [Fact]
    public void Leader_SlowRenewalReply_CountsFromWhenItWasSent()
    {
        var h = new MachineHarness();
        h.StartAndLead();
        var sentAt = h.Clock.Now;

        h.Advance(h.Timings.FenceAfter - TimeSpan.FromMilliseconds(50));
        h.RenewOk(sentAt);
        h.Advance(TimeSpan.FromMilliseconds(200));

        Assert.Equal(DemotionReason.SelfFence, h.Machine.LastDemotion);
    }

    [Fact]
    public void Leader_RenewalsSucceed_StaysLeader()
    {
        var h = new MachineHarness();
        h.StartAndLead();

        h.AdvanceLive(TimeSpan.FromMinutes(2));

        Assert.True(h.Machine.IsLeader);
        Assert.Empty(h.Actions.OfType<StopNeardAction>());
    }

    [Fact]
    public void Leader_StopNotConfirmed_NeverReleasesOrDestroys()
    {
        var h = new MachineHarness();
        h.StartAndLead();

        h.Send(new StopRequestedEvent());
        h.Send(new NeardStoppedEvent(h.Generation, false, "SIGKILL not confirmed"));
        for (var i = 0; i < 5; i++)
        {
            foreach (var action in h.AdvanceLive(h.Timings.UnconfirmedStopRetry))
            {
                if (action is StopNeardAction)
                {
                    h.Send(new NeardStoppedEvent(h.Generation, false, "SIGKILL not confirmed"));
                }
            }
        }

        Assert.Empty(h.Actions.OfType<ReleaseLockAction>());
        Assert.Empty(h.Actions.OfType<DestroySessionAction>());
        Assert.Empty(h.Actions.OfType<RemoveValidatorKeyAction>());
        Assert.True(h.Actions.OfType<StopNeardAction>().Count() >= 3);
    }

    [Fact]
    public void Leader_GracefulStop_StopsNeardThenReleasesThenDestroysThenExits()
    {
        var h = new MachineHarness();
        h.StartAndLead();

        h.Send(new StopRequestedEvent());
        h.Send(new NeardStoppedEvent(h.Generation, true, "exited after SIGTERM"));
        h.Send(new LockReleasedEvent(MachineHarness.Session, true));
        h.Send(new SessionDestroyedEvent(MachineHarness.Session, true));

        var order = new[]
        {
            h.IndexOf<StopNeardAction>(),
            h.IndexOf<RemoveValidatorKeyAction>(),
            h.IndexOf<ReleaseLockAction>(),
            h.IndexOf<DestroySessionAction>(),
            h.IndexOf<ExitAction>(),
        };
        Assert.All(order, i => Assert.True(i >= 0));
        Assert.Equal(order.Order(), order);
        Assert.Null(h.Last<ReleaseLockAction>().HandoverTo);
        Assert.Equal(SupervisorState.Shutdown, h.State);
        Assert.Equal(DemotionReason.Shutdown, h.Machine.LastDemotion);
    }

    [Fact]
    public void Leader_LockObservedWithAnotherSession_DemotesAtOnceWithoutReleasing()
    {
        var h = new MachineHarness();
        h.StartAndLead(fencingIndex: 42);

        h.ObserveLock("intruder", 50);

        Assert.Equal(DemotionReason.LockLost, h.Machine.LastDemotion);
        Assert.Single(h.Actions.OfType<StopNeardAction>());
        h.Send(new NeardStoppedEvent(h.Generation, true, "exited after SIGTERM"));
        Assert.Empty(h.Actions.OfType<ReleaseLockAction>());
        Assert.Equal(SupervisorState.Startup, h.State);
    }

    [Fact]
    public void Leader_StaleObservationFromBeforeItsAcquire_IsIgnored()
    {
        var h = new MachineHarness();
        h.StartAndLead(fencingIndex: 42);

        h.ObserveLock("previous-leader", 30);

        Assert.True(h.Machine.IsLeader);
        Assert.Empty(h.Actions.OfType<StopNeardAction>());
    }

    [Fact]
    public void Leader_NeardCrashes_ReleasesAndRejoinsAsVoter()
    {
        var h = new MachineHarness();
        h.StartAndLead();

        h.Send(new NeardExitedEvent(h.Generation, 100, 1));

        Assert.Equal(DemotionReason.NeardExit, h.Machine.LastDemotion);
        var release = h.Last<ReleaseLockAction>();
        Assert.True(h.IndexOf<RemoveValidatorKeyAction>() < h.IndexOf<ReleaseLockAction>());
        h.Send(new LockReleasedEvent(release.SessionId, true));
        Assert.Equal(SupervisorState.Startup, h.State);
        Assert.Single(h.Actions.OfType<DestroySessionAction>());
        Assert.Equal(NeardMode.Voter, h.Last<StartNeardAction>().Mode);
    }

    [Fact]
    public void Leader_RpcFailsRepeatedly_DemotesAsUnhealthy()
    {
        var h = new MachineHarness();
        h.StartAndLead();

        for (var i = 0; i < h.Timings.UnhealthyAfterFailures; i++)
        {
            h.RpcFails();
        }

        Assert.Equal(DemotionReason.Unhealthy, h.Machine.LastDemotion);
        Assert.Single(h.Actions.OfType<StopNeardAction>());
    }

    [Fact]
    public void Leader_SyncingLongerThanGrace_DemotesAsOutOfSync()
    {
        var h = new MachineHarness();
        h.StartAndLead();

        for (var elapsed = TimeSpan.Zero; elapsed <= h.Timings.NeardStallTimeout + TimeSpan.FromSeconds(1); elapsed += TimeSpan.FromSeconds(1))
        {
            h.Syncing(500 + (long)elapsed.TotalSeconds);
            h.RenewOk();
            h.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(DemotionReason.OutOfSync, h.Machine.LastDemotion);
    }

    [Fact]
    public void Leader_Renew404_DemotesAndDoesNotReleaseTheLostLock()
    {
        var h = new MachineHarness();
        h.StartAndLead();

        h.Send(new SessionRenewFailedEvent(MachineHarness.Session, new LockServiceError(LockServiceFailure.SessionGone, "not found")));
        h.Send(new NeardStoppedEvent(h.Generation, true, "exited after SIGTERM"));

        Assert.Equal(DemotionReason.SessionLost, h.Machine.LastDemotion);
        Assert.Empty(h.Actions.OfType<ReleaseLockAction>());
        Assert.Equal(SupervisorState.Startup, h.State);
    }

    [Fact]
    public void Leader_HotSwappedKeyNotReported_DemotesAfterVerifyTimeout()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        h.Send(new LockObservedEvent(LockObservation.Free(7)));
        h.Send(new AcquireCompletedEvent(MachineHarness.Session, LockAcquireOutcome.Acquired));
        h.Send(new LockConfirmedEvent(MachineHarness.Session, true, 42, null));
        h.Send(new KeyInstalledEvent(h.Generation, null));

        for (var i = 0; i < 120 && h.Machine.LastDemotion is null; i++)
        {
            h.Synced(300 + i);
            h.RenewOk();
            h.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(DemotionReason.PromotionFailed, h.Machine.LastDemotion);
    }

    [Fact]
    public void Leader_KeyInstallFails_DemotesAndRemovesKeyOnlyAfterStop()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        h.Send(new LockObservedEvent(LockObservation.Free(7)));
        h.Send(new AcquireCompletedEvent(MachineHarness.Session, LockAcquireOutcome.Acquired));
        h.Send(new LockConfirmedEvent(MachineHarness.Session, true, 42, null));

        h.Send(new KeyInstalledEvent(h.Generation, "disk full"));
        Assert.Empty(h.Actions.OfType<RemoveValidatorKeyAction>());
        h.Send(new NeardStoppedEvent(h.Generation, true, "exited after SIGTERM"));

        Assert.Equal(DemotionReason.PromotionFailed, h.Machine.LastDemotion);
        Assert.True(h.IndexOf<StopNeardAction>() < h.IndexOf<RemoveValidatorKeyAction>());
    }
}
