namespace Knd.Tests.Supervision;

/// <summary>
/// Issue 11 item 4: a promotion that fails before neard reports the key (a --neard-bin wrapper that
/// does not exec loses its child to the hot-swap SIGHUP) must not be retried many times a second.
/// </summary>
public sealed class PromotionBackoffTests
{
    /// <summary>neard restarts quickly here, so the back-off, not the restart, decides when the node contends again.</summary>
    private static readonly FailoverTimings Timings =
        FailoverTimings.From(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), null, TimeSpan.FromSeconds(30)) with { NeardRestartBackoff = TimeSpan.FromMilliseconds(100) };

    private ulong _index = 10;
    private TimeSpan _failedAt;

    [Fact]
    public void Voting_AfterAFailedPromotion_WaitsTheBackoffBeforeContending()
    {
        var h = new MachineHarness(timings: Timings);
        h.StartAndVote();
        WaitForAcquire(h);

        FailThePromotion(h);

        Assert.Equal(1, h.Machine.Counters.PromotionFailures);
        Assert.Equal(h.Timings.PromotionBackoffMin, WaitForAcquire(h));
    }

    [Fact]
    public void Voting_ConsecutiveFailedPromotions_DoubleTheBackoffUpToItsCap()
    {
        var h = new MachineHarness(timings: Timings);
        h.StartAndVote();
        WaitForAcquire(h);
        var delays = new List<TimeSpan>();

        for (var i = 0; i < 9; i++)
        {
            FailThePromotion(h);
            delays.Add(WaitForAcquire(h));
        }

        var expected = new[] { 1, 2, 4, 8, 16, 32, 60, 60, 60 }.Select(s => TimeSpan.FromSeconds(s));
        Assert.Equal(expected, delays);
        Assert.Equal(9, h.Machine.Counters.PromotionFailures);
    }

    [Fact]
    public void Leader_PromotionThatNeardConfirms_ResetsTheBackoff()
    {
        var h = new MachineHarness(timings: Timings);
        h.StartAndVote();
        WaitForAcquire(h);
        FailThePromotion(h);
        WaitForAcquire(h);
        FailThePromotion(h);
        WaitForAcquire(h);

        // This time neard reports the key: the promotion worked. Then it crashes later on.
        Promote(h);
        h.Send(new StatusPolledEvent(h.Generation, new NeardHealthSample(500, false, MachineHarness.AccountId, null)));
        Assert.True(h.Machine.IsLeader);
        h.Send(new NeardExitedEvent(h.Generation, 100, 1));
        Rejoin(h);

        Assert.Equal(2, h.Machine.Counters.PromotionFailures);
        Assert.Null(h.Machine.Snapshot().PromotionBackoff);
        Assert.Equal(TimeSpan.Zero, WaitForAcquire(h));
    }

    [Fact]
    public void Leader_StopRequestedBeforeNeardReportedTheKey_IsNotAFailedPromotion()
    {
        var h = new MachineHarness(timings: Timings);
        h.StartAndVote();
        WaitForAcquire(h);
        Promote(h);

        h.Send(new StopRequestedEvent());

        Assert.Equal(DemotionReason.Shutdown, h.Machine.LastDemotion);
        Assert.Equal(0, h.Machine.Counters.PromotionFailures);
        Assert.Null(h.Machine.Snapshot().PromotionBackoff);
    }

    /// <summary>The acquire answers, the lock is confirmed, and the hot swap is done (neard has not reported the key yet).</summary>
    private void Promote(MachineHarness h)
    {
        h.Send(new AcquireCompletedEvent(MachineHarness.Session, LockAcquireOutcome.Acquired));
        h.Send(new LockConfirmedEvent(MachineHarness.Session, true, _index++, null));
        Assert.Equal(SupervisorState.Validating, h.State);
        h.Send(new KeyInstalledEvent(h.Generation, null));
    }

    /// <summary>Promotes, then neard dies before reporting the key (a wrapper that lost its child to SIGHUP); back to Voting.</summary>
    private void FailThePromotion(MachineHarness h)
    {
        Promote(h);
        h.Send(new NeardExitedEvent(h.Generation, 100, 129));
        _failedAt = h.Clock.Now;
        Assert.Equal(DemotionReason.NeardExit, h.Machine.LastDemotion);
        Rejoin(h);
    }

    private void Rejoin(MachineHarness h)
    {
        if (h.Actions.LastOrDefault() is ReleaseLockAction)
        {
            h.Send(new LockReleasedEvent(MachineHarness.Session, true));
        }

        h.Send(new SessionDestroyedEvent(MachineHarness.Session, true));

        // Another node holds the lock meanwhile, so the rejoin itself does not contend.
        h.ObserveLock("other-session", _index++);
        h.Advance(h.Timings.NeardRestartBackoff);
        h.Send(new NeardStartedEvent(h.Generation, 100));
        h.Synced();
        h.Send(new SessionCreatedEvent(MachineHarness.Session, h.Clock.Now));
        Assert.Equal(SupervisorState.Voting, h.State);
    }

    /// <summary>Shows the lock free and waits for the acquire; returns whole seconds since the last failed promotion (0 if it came at once).</summary>
    private TimeSpan WaitForAcquire(MachineHarness h)
    {
        var before = h.Actions.OfType<AcquireLockAction>().Count();
        var seenAt = h.Clock.Now;
        h.Send(new LockObservedEvent(LockObservation.Free(_index++)));
        while (h.Actions.OfType<AcquireLockAction>().Count() == before)
        {
            h.AdvanceLive(h.Timings.TickInterval);
            Assert.True(h.Clock.Now - seenAt < TimeSpan.FromMinutes(5), "no acquire within five minutes");
        }

        return h.Clock.Now == seenAt ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Floor((h.Clock.Now - _failedAt).TotalSeconds));
    }
}
