namespace Knd.Tests.Supervision;

/// <summary>
/// Issue 11 item 3: a lock service that answers late but within the request timeout must not make
/// knd fence or flap, and a promotion must never start on a stale renewal (it used to trip the
/// "safety invariant violated" assertion and kill knd).
/// </summary>
public sealed class SlowServiceTests
{
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(1500);

    [Fact]
    public void Leader_RenewalsAnswered1500msLate_NeverFences()
    {
        var h = new MachineHarness();
        h.StartAndLead();

        RunWithLatency(h, TimeSpan.FromSeconds(60));

        Assert.True(h.Machine.IsLeader, h.Machine.Snapshot().LastError);
        Assert.Equal(0, h.Machine.Counters.SelfFences);
    }

    [Fact]
    public void Leader_NextRenewal_IsScheduledFromWhenTheLastOneWasSent()
    {
        var h = new MachineHarness();
        h.StartAndLead();
        h.Advance(h.Timings.RenewInterval);
        var sent = h.Last<RenewSessionAction>();
        var sentAt = h.Clock.Now;

        h.Advance(Latency);
        h.RenewOk(sentAt);
        var renewalsBefore = h.Actions.OfType<RenewSessionAction>().Count();
        h.Advance(h.Timings.RenewInterval - Latency);

        Assert.Equal(sent.SessionId, h.Last<RenewSessionAction>().SessionId);
        Assert.Equal(renewalsBefore + 1, h.Actions.OfType<RenewSessionAction>().Count());
    }

    [Fact]
    public void Voting_LockConfirmedWithAStaleRenewal_RenewsFirstThenPromotes()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        h.Send(new LockObservedEvent(LockObservation.Free(7)));
        h.Send(new AcquireCompletedEvent(MachineHarness.Session, LockAcquireOutcome.Acquired));

        // The confirmation took long and the renewals sent meanwhile have not answered.
        h.Advance(h.Timings.RenewInterval + TimeSpan.FromMilliseconds(500));
        var renewals = h.Actions.OfType<RenewSessionAction>().Count();
        h.Send(new LockConfirmedEvent(MachineHarness.Session, true, 42, null));

        Assert.Equal(SupervisorState.Voting, h.State);
        Assert.Empty(h.Actions.OfType<InstallKeyAction>());

        h.RenewOk();
        Assert.Equal(SupervisorState.Validating, h.State);
        Assert.Single(h.Actions.OfType<InstallKeyAction>());
        Assert.True(renewals >= 1);
    }

    [Fact]
    public void Voting_LockConfirmedButNoFreshRenewal_GivesTheLockBackUnpromoted()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        h.Send(new LockObservedEvent(LockObservation.Free(7)));
        h.Send(new AcquireCompletedEvent(MachineHarness.Session, LockAcquireOutcome.Acquired));
        h.Advance(h.Timings.RenewInterval + TimeSpan.FromMilliseconds(500));
        h.Send(new LockConfirmedEvent(MachineHarness.Session, true, 42, null));

        h.Advance(h.Timings.UnpromotedLockHoldLimit);

        Assert.Equal(MachineHarness.Session, h.Last<ReleaseLockAction>().SessionId);
        Assert.Empty(h.Actions.OfType<InstallKeyAction>());
        Assert.Equal(SupervisorState.Voting, h.State);
        h.Send(new LockReleasedEvent(MachineHarness.Session, true));
        Assert.False(h.Machine.IsLeader);
    }

    [Fact]
    public void Voting_WonLockThenNeardFallsToSyncing_ReleasesItWithoutALockDelay()
    {
        var h = new MachineHarness();
        h.StartAndVote();
        h.Send(new LockObservedEvent(LockObservation.Free(7)));
        h.Send(new AcquireCompletedEvent(MachineHarness.Session, LockAcquireOutcome.Acquired));
        h.Advance(h.Timings.RenewInterval + TimeSpan.FromMilliseconds(500));
        h.Send(new LockConfirmedEvent(MachineHarness.Session, true, 42, null));

        h.Syncing();

        Assert.Equal(SupervisorState.Syncing, h.State);
        Assert.Equal(MachineHarness.Session, h.Last<ReleaseLockAction>().SessionId);
        Assert.Empty(h.Actions.OfType<DestroySessionAction>());
        h.Send(new LockReleasedEvent(MachineHarness.Session, true));
        Assert.Equal(MachineHarness.Session, h.Last<DestroySessionAction>().SessionId);
    }

    /// <summary>Every renewal answers <see cref="Latency"/> after it was sent; neard stays healthy.</summary>
    private static void RunWithLatency(MachineHarness h, TimeSpan duration)
    {
        var pending = new List<(TimeSpan Due, string Session, TimeSpan SentAt)>();
        var end = h.Clock.Now + duration;
        long height = 2000;
        var nextSample = h.Clock.Now;
        while (h.Clock.Now < end)
        {
            foreach (var renew in h.Advance(h.Timings.TickInterval).OfType<RenewSessionAction>())
            {
                pending.Add((h.Clock.Now + Latency, renew.SessionId, h.Clock.Now));
            }

            foreach (var due in pending.Where(p => p.Due <= h.Clock.Now).ToList())
            {
                pending.Remove(due);
                h.Send(new SessionRenewedEvent(due.Session, due.SentAt));
            }

            if (h.Clock.Now >= nextSample)
            {
                nextSample = h.Clock.Now + TimeSpan.FromMilliseconds(500);
                h.Send(new StatusPolledEvent(h.Generation, new NeardHealthSample(++height, false, MachineHarness.AccountId, null)));
            }
        }
    }
}
