namespace Knd.Tests.Supervision;

/// <summary>
/// Issue 15 item 11: the pre-promote hook runs after the lock is confirmed and before neard gets the
/// key; a non-zero exit (or no answer) gives the lock back and backs off; a lock lost meanwhile ends it.
/// </summary>
public sealed class PrePromoteTests
{
    private static readonly FailoverTimings Timings =
        FailoverTimings.From(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), null, TimeSpan.FromSeconds(30)) with { PrePromoteTimeout = TimeSpan.FromSeconds(30) };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Voting_LockConfirmed_RunsTheHookBeforeAnyKeyReachesNeard(bool hotSwap)
    {
        var promotion = hotSwap ? PromotionMode.HotSwap : PromotionMode.Restart;
        var h = new MachineHarness(promotion, Timings);
        h.StartAndVote();
        var hook = TakeLock(h);

        Assert.Equal(SupervisorState.Voting, h.State);
        Assert.True(h.Machine.PrePromoteRunning);
        Assert.DoesNotContain(h.Actions, a => a is InstallKeyAction or StartNeardAction { Mode: NeardMode.Validator });

        // The hook takes its time; the session is renewed meanwhile and nothing is promoted.
        var during = h.AdvanceLive(TimeSpan.FromSeconds(20));
        Assert.Contains(during, a => a is RenewSessionAction);
        Assert.DoesNotContain(during, a => a is InstallKeyAction or StopNeardAction or ReleaseLockAction);
        Assert.Equal(SupervisorState.Voting, h.State);

        h.Send(new PrePromoteFinishedEvent(hook.Attempt, true, "exit 0"));

        Assert.Equal(SupervisorState.Validating, h.State);
        Assert.Contains(h.Actions, a => promotion == PromotionMode.HotSwap ? a is InstallKeyAction : a is StopNeardAction);
        Assert.Equal(0, h.Machine.Counters.PromotionFailures);
    }

    [Fact]
    public void Voting_HookVetoes_ReleasesTheLockWithoutPromoting_AndBacksOff()
    {
        var h = new MachineHarness(PromotionMode.HotSwap, Timings);
        h.StartAndVote();
        var hook = TakeLock(h);

        var after = h.Send(new PrePromoteFinishedEvent(hook.Attempt, false, "exit code 1"));

        var release = Assert.Single(after.OfType<ReleaseLockAction>());
        Assert.Null(release.HandoverTo);
        Assert.DoesNotContain(h.Actions, a => a is InstallKeyAction or StartNeardAction { Mode: NeardMode.Validator });
        Assert.Equal(SupervisorState.Voting, h.State);
        Assert.Equal(1, h.Machine.Counters.PromotionFailures);
        Assert.Equal(h.Timings.PromotionBackoffMin, h.Machine.Snapshot().PromotionBackoff);
        Assert.Contains("pre-promote hook vetoed it: exit code 1", h.Machine.Snapshot().LastError, StringComparison.Ordinal);

        // Released and free again: it does not contend before the back-off ends.
        h.Send(new LockReleasedEvent(MachineHarness.Session, true));
        h.Send(new LockObservedEvent(LockObservation.Free(60)));
        var held = h.AdvanceLive(h.Timings.PromotionBackoffMin - TimeSpan.FromMilliseconds(250));
        Assert.DoesNotContain(held, a => a is AcquireLockAction);
        Assert.Contains(h.AdvanceLive(TimeSpan.FromSeconds(1)), a => a is AcquireLockAction);
    }

    [Fact]
    public void Voting_SecondVeto_DoublesTheBackoff()
    {
        var h = new MachineHarness(PromotionMode.HotSwap, Timings);
        h.StartAndVote();
        for (var i = 0; i < 2; i++)
        {
            var hook = TakeLock(h, fencingIndex: 42 + (ulong)i * 10);
            h.Send(new PrePromoteFinishedEvent(hook.Attempt, false, "exit code 1"));
            h.Send(new LockReleasedEvent(MachineHarness.Session, true));
            h.Send(new LockObservedEvent(LockObservation.Free(60 + (ulong)i * 10)));
            if (i == 0)
            {
                h.AdvanceLive(h.Timings.PromotionBackoffMin);
            }
        }

        Assert.Equal(2, h.Machine.Counters.PromotionFailures);
        Assert.Equal(h.Timings.PromotionBackoffMin * 2, h.Machine.Snapshot().PromotionBackoff);
    }

    [Fact]
    public void Voting_HookNeverAnswers_CountsAsAVetoAfterItsTimeout()
    {
        var h = new MachineHarness(PromotionMode.HotSwap, Timings);
        h.StartAndVote();
        TakeLock(h);

        var before = h.AdvanceLive(Timings.PrePromoteTimeout!.Value);
        Assert.DoesNotContain(before, a => a is ReleaseLockAction);

        var after = h.AdvanceLive(Timings.PrePromoteAnswerGrace + Timings.TickInterval);
        Assert.Single(after.OfType<ReleaseLockAction>());
        Assert.DoesNotContain(h.Actions, a => a is InstallKeyAction);
        Assert.Equal(1, h.Machine.Counters.PromotionFailures);
    }

    [Fact]
    public void Voting_LockTakenWhileTheHookRuns_AbandonsThePromotion_AndIgnoresTheLateSuccess()
    {
        var h = new MachineHarness(PromotionMode.HotSwap, Timings);
        h.StartAndVote();
        var hook = TakeLock(h);
        h.AdvanceLive(TimeSpan.FromSeconds(3));

        // Our session was destroyed (an operator, a fast-failover peer): the key now shows another holder.
        h.ObserveLock("session-2", 99);
        var late = h.Send(new PrePromoteFinishedEvent(hook.Attempt, true, "exit 0"));

        Assert.Equal(SupervisorState.Voting, h.State);
        Assert.False(h.Machine.PrePromoteRunning);
        Assert.DoesNotContain(h.Actions, a => a is InstallKeyAction or ReleaseLockAction);
        Assert.DoesNotContain(late, a => a is InstallKeyAction);
        Assert.False(h.Machine.IsLeader);
        Assert.Contains("lost while the pre-promote hook ran", h.Machine.Snapshot().LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Voting_RenewalsFailWhileTheHookRuns_GivesTheLockBackBeforeTheFence()
    {
        var h = new MachineHarness(PromotionMode.HotSwap, Timings);
        h.StartAndVote();
        var hook = TakeLock(h);

        // Renewals are sent but none succeeds.
        var actions = h.Advance(h.Timings.FenceAfter);
        Assert.Contains(actions, a => a is RenewSessionAction);
        Assert.Single(h.Actions.OfType<ReleaseLockAction>());
        h.Send(new PrePromoteFinishedEvent(hook.Attempt, true, "exit 0"));
        Assert.DoesNotContain(h.Actions, a => a is InstallKeyAction);
        Assert.NotEqual(SupervisorState.Validating, h.State);
    }

    [Fact]
    public void Voting_StopRequestedWhileTheHookRuns_ReleasesTheLockAndNeverPromotes()
    {
        var h = new MachineHarness(PromotionMode.HotSwap, Timings);
        h.StartAndVote();
        var hook = TakeLock(h);

        h.Send(new StopRequestedEvent());
        h.Send(new NeardStoppedEvent(h.Generation, true, "exited after SIGTERM"));
        h.Send(new PrePromoteFinishedEvent(hook.Attempt, true, "exit 0"));

        Assert.Equal(SupervisorState.Shutdown, h.State);
        Assert.Single(h.Actions.OfType<ReleaseLockAction>());
        Assert.DoesNotContain(h.Actions, a => a is InstallKeyAction);
    }

    [Fact]
    public void Voting_WithoutAHook_PromotesAtOnce()
    {
        var h = new MachineHarness(PromotionMode.HotSwap);
        h.StartAndVote();
        h.Send(new LockObservedEvent(LockObservation.Free(7)));
        h.Send(new AcquireCompletedEvent(MachineHarness.Session, LockAcquireOutcome.Acquired));
        h.Send(new LockConfirmedEvent(MachineHarness.Session, true, 42, null));

        Assert.DoesNotContain(h.Actions, a => a is RunPrePromoteAction);
        Assert.Equal(SupervisorState.Validating, h.State);
    }

    [Fact]
    public void Leader_AfterTheHookPassed_HasTheValidatorRoleOnceTheKeyIsIn()
    {
        var h = new MachineHarness(PromotionMode.HotSwap, Timings);
        h.StartAndVote();
        var hook = TakeLock(h);
        Assert.False(h.Machine.HasValidatorRole);

        h.Send(new PrePromoteFinishedEvent(hook.Attempt, true, "exit 0"));
        Assert.False(h.Machine.HasValidatorRole);
        h.Send(new KeyInstalledEvent(h.Generation, null));

        Assert.True(h.Machine.HasValidatorRole);
    }

    /// <summary>Sees the lock free, acquires and confirms it; returns the hook the machine asked for.</summary>
    private static RunPrePromoteAction TakeLock(MachineHarness h, ulong fencingIndex = 42)
    {
        h.AdvanceLive(TimeSpan.FromMilliseconds(250));
        h.Send(new LockObservedEvent(LockObservation.Free(fencingIndex - 1)));
        h.AdvanceLive(TimeSpan.FromMilliseconds(250));
        h.Send(new AcquireCompletedEvent(MachineHarness.Session, LockAcquireOutcome.Acquired));
        h.AdvanceLive(TimeSpan.FromMilliseconds(250));
        var confirmed = h.Send(new LockConfirmedEvent(MachineHarness.Session, true, fencingIndex, null));
        return Assert.Single(confirmed.OfType<RunPrePromoteAction>());
    }
}
