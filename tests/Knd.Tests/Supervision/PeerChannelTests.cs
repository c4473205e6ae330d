namespace Knd.Tests.Supervision;

/// <summary>Issue 14: fast failover (passives destroy a silent leader's session) and the failsafe (promises).</summary>
public sealed class PeerChannelTests
{
    private static readonly FailoverTimings Fast = FailoverTimings.From(TimeSpan.FromSeconds(10), null, null, TimeSpan.FromSeconds(30), fastFailover: true);
    private static readonly PeerRules FastFailover = new() { FastFailover = true };
    private static readonly PeerRules Failsafe = new() { Failsafe = true };

    [Fact]
    public void FastFailoverTimings_FitTheFailoverInAboutOneTtl()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), Fast.RenewInterval);
        Assert.Equal(TimeSpan.FromSeconds(4), Fast.FenceAfter);
        Assert.Equal(TimeSpan.FromSeconds(1), Fast.NeardStopTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(5750), Fast.FenceBound);
        Assert.Equal(TimeSpan.FromMilliseconds(6250), Fast.LockDelay);
        Assert.Null(Fast.Check());
    }

    [Fact]
    public void FastFailover_LockDelayBelowTheFenceBound_IsRefusedNamingTheOptions()
    {
        var timings = FailoverTimings.From(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), null, TimeSpan.FromSeconds(30), fastFailover: true);

        var error = timings.Check();

        Assert.Contains("--lock-delay", error, StringComparison.Ordinal);
        Assert.Contains("--fast-failover", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Passive_LeaderSilent_DestroysItsSessionOnce()
    {
        var h = Passive(FastFailover);
        h.ObserveLock("leader-session", 50, nodeId: "node-b");
        h.Send(new LeaderHeartbeatEvent("node-b", "leader-session", TimeSpan.FromMilliseconds(300)));

        h.AdvanceLive(FastFailover.LeaderSilence - h.Timings.TickInterval);
        Assert.Empty(h.Actions.OfType<DestroyLeaderSessionAction>());

        h.AdvanceLive(h.Timings.TickInterval * 3);
        var destroy = Assert.Single(h.Actions.OfType<DestroyLeaderSessionAction>());
        Assert.Equal(("leader-session", "node-b"), (destroy.SessionId, destroy.NodeId));
    }

    [Fact]
    public void Passive_LeaderHeartbeatsButCannotRenew_DestroysItsSession()
    {
        var h = Passive(FastFailover);
        h.ObserveLock("leader-session", 50, nodeId: "node-b");

        for (var age = TimeSpan.FromSeconds(1); h.Actions.OfType<DestroyLeaderSessionAction>().Count() == 0; age += TimeSpan.FromMilliseconds(250))
        {
            Assert.True(age < TimeSpan.FromSeconds(10), "never destroyed");
            h.Send(new LeaderHeartbeatEvent("node-b", "leader-session", age));
            h.AdvanceLive(TimeSpan.FromMilliseconds(250));
        }

        Assert.Single(h.Actions.OfType<DestroyLeaderSessionAction>());
    }

    [Fact]
    public void Passive_LeaderThatNeverHeartbeated_IsLeftToTheTtl()
    {
        // A kuutamod leader, or a knd without the peer channel: silence proves nothing.
        var h = Passive(FastFailover);
        h.ObserveLock("leader-session", 50, nodeId: "node-b");

        h.AdvanceLive(TimeSpan.FromSeconds(30));

        Assert.Empty(h.Actions.OfType<DestroyLeaderSessionAction>());
    }

    [Fact]
    public void Passive_FastFailoverOff_NeverDestroys()
    {
        var h = Passive(new PeerRules());
        h.ObserveLock("leader-session", 50, nodeId: "node-b");
        h.Send(new LeaderHeartbeatEvent("node-b", "leader-session", TimeSpan.Zero));

        h.AdvanceLive(TimeSpan.FromSeconds(30));

        Assert.Empty(h.Actions.OfType<DestroyLeaderSessionAction>());
    }

    [Fact]
    public void Passive_ThatCannotReachConsulItself_DoesNotDestroy()
    {
        var h = Passive(FastFailover);
        h.ObserveLock("leader-session", 50, nodeId: "node-b");

        // This node's own renewals stop answering; then the leader goes silent too.
        h.Advance(h.Timings.RenewInterval + h.Timings.ConsulRequestTimeout);
        h.Send(new LeaderHeartbeatEvent("node-b", "leader-session", TimeSpan.Zero));
        h.Advance(TimeSpan.FromSeconds(10));

        Assert.Empty(h.Actions.OfType<DestroyLeaderSessionAction>());
    }

    [Fact]
    public void Leader_ConsulDown_EveryMemberPromised_KeepsSigningPastFenceAfter()
    {
        var h = Leader(Failsafe, members: ["node-b", "node-c"]);

        RunWithoutConsul(h, TimeSpan.FromSeconds(30), grant: _ => true);

        Assert.True(h.Machine.IsLeader, h.Machine.Snapshot().LastError);
        Assert.Equal(0, h.Machine.Counters.SelfFences);
        Assert.True(h.Machine.Snapshot().Peers!.FailsafeCovers);
    }

    [Fact]
    public void Leader_FirstRenewalFails_AsksForPromisesAtOnce_NotWhenTheRenewalIsOverdue()
    {
        var h = Leader(Failsafe, members: ["node-b"]);
        var overdueAt = h.Clock.Now + h.Timings.RenewInterval + h.Timings.RenewRetryInterval;
        var askedBefore = h.Actions.OfType<RequestPromisesAction>().Count();
        TimeSpan? failedAt = null;
        TimeSpan? askedAt = null;

        while (askedAt is null && h.Clock.Now < overdueAt + h.Timings.RenewInterval)
        {
            foreach (var renew in h.Advance(h.Timings.TickInterval).OfType<RenewSessionAction>().Where(_ => failedAt is null))
            {
                failedAt = h.Clock.Now;
                h.Send(new SessionRenewFailedEvent(renew.SessionId, new LockServiceError(LockServiceFailure.Unreachable, "connection refused")));
            }

            askedAt = h.Actions.OfType<RequestPromisesAction>().Count() > askedBefore ? h.Clock.Now : null;
        }

        Assert.NotNull(failedAt);
        Assert.NotNull(askedAt);
        Assert.True(askedAt <= failedAt + h.Timings.TickInterval, $"renewal failed at {failedAt}, promises asked at {askedAt}");
        Assert.True(askedAt < overdueAt, $"asked at {askedAt}, only when overdue ({overdueAt})");
    }

    [Fact]
    public void Leader_ConsulDown_OneMemberDoesNotPromise_FencesAsWithoutFailsafe()
    {
        var h = Leader(Failsafe, members: ["node-b", "node-c"]);

        RunWithoutConsul(h, TimeSpan.FromSeconds(30), grant: member => member == "node-b");

        Assert.Equal(DemotionReason.SelfFence, h.Machine.LastDemotion);
    }

    [Fact]
    public void Leader_PromisesStopComing_StopsBeforeTheOldestEnds()
    {
        var h = Leader(Failsafe, members: ["node-b"]);
        var grants = 0;
        TimeSpan? lastGrantSent = null;

        RunWithoutConsul(h, TimeSpan.FromSeconds(40), grant: _ =>
        {
            if (grants++ < 5)
            {
                lastGrantSent = h.Clock.Now;
                return true;
            }

            return false;
        });

        Assert.Equal(DemotionReason.SelfFence, h.Machine.LastDemotion);
        var stoppedAt = h.StopIssuedAt!.Value;
        var promiseEnds = lastGrantSent!.Value + (Failsafe.PromiseDuration * (1 - Failsafe.ClockDriftAllowance));
        Assert.True(stoppedAt + h.Timings.NeardStopTimeout + h.Timings.NeardKillConfirmTimeout <= promiseEnds, $"stop at {stoppedAt} leaves no room before {promiseEnds}");
    }

    /// <summary>
    /// The model test's find: a restart promotion whose voter stop outlasts FenceAfter while Consul is
    /// down and every member promised started the validator on a stale renewal (the safety assertion
    /// stopped knd). The failsafe keeps a running signer; it does not start one.
    /// </summary>
    [Fact]
    public void Promotion_ConsulDownWhileTheVoterStops_StartsTheValidatorOnlyAfterARenewal()
    {
        var h = PromotingWithRestart(Failsafe, members: ["node-b"]);
        var voter = h.Generation;

        RunWithoutConsul(h, h.Timings.FenceAfter + TimeSpan.FromSeconds(1), grant: _ => true);
        h.Send(new NeardStoppedEvent(voter, true, "exited after SIGTERM"));
        RunWithoutConsul(h, TimeSpan.FromSeconds(3), grant: _ => true);

        Assert.True(h.Machine.IsLeader, h.Machine.Snapshot().LastError);
        Assert.DoesNotContain(h.Actions.OfType<StartNeardAction>(), a => a.Mode == NeardMode.Validator);
        Assert.Contains(h.Transitions, t => t.Reason.Contains("waits for a session renewal", StringComparison.Ordinal));

        h.AdvanceLive(h.Timings.RenewInterval + h.Timings.TickInterval);

        Assert.Contains(h.Actions.OfType<StartNeardAction>(), a => a.Mode == NeardMode.Validator);
    }

    [Fact]
    public void Promotion_HeldForARenewal_PromisesRunOut_FencesWithoutEverStartingTheValidator()
    {
        var h = PromotingWithRestart(Failsafe, members: ["node-b"]);
        var voter = h.Generation;
        var grants = 0;

        RunWithoutConsul(h, h.Timings.FenceAfter + TimeSpan.FromSeconds(1), grant: _ => true);
        h.Send(new NeardStoppedEvent(voter, true, "exited after SIGTERM"));
        RunWithoutConsul(h, TimeSpan.FromSeconds(30), grant: _ => grants++ < 3);

        Assert.Equal(DemotionReason.SelfFence, h.Machine.LastDemotion);
        Assert.DoesNotContain(h.Actions.OfType<StartNeardAction>(), a => a.Mode == NeardMode.Validator);
        Assert.Contains(h.Actions, a => a is ReleaseLockAction);
    }

    [Fact]
    public void Member_ThatCannotReachConsul_Promises_AndDoesNotTakeTheLockBeforeItEnds()
    {
        var h = Passive(Failsafe, pastStartupWait: true);
        h.ObserveLock("leader-session", 50, nodeId: "node-b");
        h.Advance(TimeSpan.FromSeconds(8));

        h.Send(new PromiseRequestedEvent(1, "node-b", "leader-session", TimeSpan.FromSeconds(10), LockServiceReachable: false));
        var answer = h.Last<AnswerPromiseAction>();
        Assert.True(answer.Granted, answer.Reason);

        // Consul comes back and shows the lock free: the promise still binds this member.
        h.RenewOk();
        h.ObserveLock(null, 51);
        h.AdvanceLive(TimeSpan.FromSeconds(9));
        Assert.Empty(h.Actions.OfType<AcquireLockAction>());

        h.AdvanceLive(TimeSpan.FromSeconds(1.5));
        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void Member_ThatPromised_DoesNotDestroyTheLeadersSessionBeforeThePromiseEnds()
    {
        var both = new PeerRules { FastFailover = true, Failsafe = true };
        var h = Passive(both, pastStartupWait: true);
        h.ObserveLock("leader-session", 50, nodeId: "node-b");
        h.Send(new LeaderHeartbeatEvent("node-b", "leader-session", TimeSpan.FromMilliseconds(300)));
        h.Send(new PromiseRequestedEvent(1, "node-b", "leader-session", TimeSpan.FromSeconds(10), LockServiceReachable: false));
        Assert.True(h.Last<AnswerPromiseAction>().Granted);

        // Consul is back for this member; the leader, which signed on under the promises, reports a
        // long renewal age until its next renewal lands: not a leader to cut short while promised.
        h.RenewOk();
        for (var i = 0; i < 30; i++)
        {
            h.Send(new LeaderHeartbeatEvent("node-b", "leader-session", TimeSpan.FromSeconds(8) + (h.Timings.TickInterval * i)));
            h.AdvanceLive(h.Timings.TickInterval);
        }

        Assert.Empty(h.Actions.OfType<DestroyLeaderSessionAction>());

        // Once the promise has ended, a leader that still cannot renew is destroyed as without the failsafe.
        h.AdvanceLive(TimeSpan.FromSeconds(10));
        h.Send(new LeaderHeartbeatEvent("node-b", "leader-session", TimeSpan.FromSeconds(20)));
        h.AdvanceLive(h.Timings.TickInterval * 2);
        Assert.Single(h.Actions.OfType<DestroyLeaderSessionAction>());
    }

    [Fact]
    public void Member_ThatReachesConsul_Refuses()
    {
        var h = Passive(Failsafe, pastStartupWait: true);
        h.ObserveLock("leader-session", 50, nodeId: "node-b");

        h.Send(new PromiseRequestedEvent(1, "node-b", "leader-session", TimeSpan.FromSeconds(10), LockServiceReachable: true));

        Assert.False(h.Last<AnswerPromiseAction>().Granted);
        Assert.Null(h.Machine.Snapshot().Peers!.PromisedFor);
    }

    [Fact]
    public void Member_WhoLeads_Refuses()
    {
        var h = Leader(Failsafe, members: ["node-b"]);

        h.Send(new PromiseRequestedEvent(1, "node-b", "other-session", TimeSpan.FromSeconds(10), LockServiceReachable: false));

        Assert.False(h.Last<AnswerPromiseAction>().Granted);
    }

    [Fact]
    public void Failsafe_AfterAStart_NoTakeoverBeforeAnyForgottenPromiseCouldEnd()
    {
        var h = new MachineHarness(peers: Failsafe);
        h.StartAndVote();
        h.ObserveLock(null, 51);

        h.AdvanceLive(Failsafe.PromiseDuration - TimeSpan.FromSeconds(2));
        Assert.Empty(h.Actions.OfType<AcquireLockAction>());

        h.AdvanceLive(TimeSpan.FromSeconds(3));
        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void Leader_ConsulComesBackEmpty_WithEveryPromise_TakesTheLockBackWithoutStopping()
    {
        var h = Leader(Failsafe, members: ["node-b"]);
        RunWithoutConsul(h, TimeSpan.FromSeconds(8), grant: _ => true);
        Assert.True(h.Machine.IsLeader);
        var stopsBefore = h.Actions.OfType<StopNeardAction>().Count();

        // Consul is back, empty: the renewal answers 404 and the key is missing.
        var renew = h.Last<RenewSessionAction>();
        h.Send(new SessionRenewFailedEvent(renew.SessionId, new LockServiceError(LockServiceFailure.SessionGone, "not found")));
        h.Send(new LockObservedEvent(LockObservation.Missing(3)));
        Assert.IsType<CreateSessionAction>(h.Actions[^1]);
        h.Send(new SessionCreatedEvent("session-2", h.Clock.Now));
        Assert.Equal("session-2", h.Last<AcquireLockAction>().SessionId);
        h.Send(new AcquireCompletedEvent("session-2", LockAcquireOutcome.Acquired));
        h.Send(new LockConfirmedEvent("session-2", true, 4, null));
        h.AdvanceLive(TimeSpan.FromSeconds(20));

        Assert.True(h.Machine.IsLeader, h.Machine.Snapshot().LastError);
        Assert.Equal(stopsBefore, h.Actions.OfType<StopNeardAction>().Count());
        Assert.Equal(4UL, h.Machine.Snapshot().FencingIndex);
        Assert.False(h.Machine.Snapshot().Peers!.Reanchoring);
    }

    /// <summary>
    /// Found by the consul-down benchmark: the confirmation came before any answer of the new Consul's
    /// lock watch, and the last answer of the old Consul named the previous session at a higher index
    /// than the new fencing index; the leader took that for the lock taken from it, and then the new
    /// Consul's lower indexes for another state loss. Fails without the reset in ApplyLockConfirmed.
    /// </summary>
    [Fact]
    public void Leader_TakesTheLockBack_BeforeTheNewConsulsWatchAnswers_KeepsItDespiteTheOldObservation()
    {
        var h = Leader(Failsafe, members: ["node-b"]);
        var oldSession = h.Machine.Snapshot().SessionId!;
        h.Send(new LockObservedEvent(new LockObservation(true, oldSession, new LockHolder(MachineHarness.NodeId), 90, 95)));
        RunWithoutConsul(h, TimeSpan.FromSeconds(8), grant: _ => true);
        var stopsBefore = h.Actions.OfType<StopNeardAction>().Count();

        var renew = h.Last<RenewSessionAction>();
        h.Send(new SessionRenewFailedEvent(renew.SessionId, new LockServiceError(LockServiceFailure.SessionGone, "not found")));
        h.Send(new SessionCreatedEvent("session-2", h.Clock.Now));
        h.Send(new AcquireCompletedEvent("session-2", LockAcquireOutcome.Acquired));
        h.Send(new LockConfirmedEvent("session-2", true, 4, null));

        // Then the new Consul's watch: the key held by the new session at index 4, the index at 7.
        h.Send(new LockObservedEvent(new LockObservation(true, "session-2", new LockHolder(MachineHarness.NodeId), 4, 7)));
        h.AdvanceLive(TimeSpan.FromSeconds(20));

        Assert.True(h.Machine.IsLeader, h.Machine.Snapshot().LastError);
        Assert.Equal(stopsBefore, h.Actions.OfType<StopNeardAction>().Count());
        Assert.Equal(4UL, h.Machine.Snapshot().FencingIndex);
    }

    [Fact]
    public void Leader_TakingTheLockBack_FindsItHeldByAnother_Demotes()
    {
        var h = Leader(Failsafe, members: ["node-b"]);
        RunWithoutConsul(h, TimeSpan.FromSeconds(8), grant: _ => true);
        var renew = h.Last<RenewSessionAction>();
        h.Send(new SessionRenewFailedEvent(renew.SessionId, new LockServiceError(LockServiceFailure.SessionGone, "not found")));

        h.Send(new LockObservedEvent(new LockObservation(true, "stranger-session", new LockHolder("node-x"), 3, 3)));

        Assert.Equal(DemotionReason.LockLost, h.Machine.LastDemotion);
    }

    private static MachineHarness Passive(PeerRules peers, bool pastStartupWait = false)
    {
        var h = new MachineHarness(peers: peers);
        h.StartAndVote();
        if (pastStartupWait)
        {
            h.AdvanceLive(peers.StartupPromiseWait);
        }

        return h;
    }

    private static MachineHarness Leader(PeerRules peers, IReadOnlyList<string> members)
    {
        var h = new MachineHarness(peers: peers);
        h.StartAndVote();
        h.Send(new PeerMembersEvent([MachineHarness.NodeId, .. members]));
        h.AdvanceLive(peers.StartupPromiseWait);
        h.StartLeadingFromVoting();
        return h;
    }

    /// <summary>A leader whose restart promotion has just begun: the lock is confirmed and the voter neard is asked to stop.</summary>
    private static MachineHarness PromotingWithRestart(PeerRules peers, IReadOnlyList<string> members)
    {
        var h = new MachineHarness(PromotionMode.Restart, peers: peers);
        h.StartAndVote();
        h.Send(new PeerMembersEvent([MachineHarness.NodeId, .. members]));
        h.AdvanceLive(peers.StartupPromiseWait);
        h.Send(new LockObservedEvent(LockObservation.Free(7)));
        h.Send(new AcquireCompletedEvent(MachineHarness.Session, LockAcquireOutcome.Acquired));
        h.Send(new LockConfirmedEvent(MachineHarness.Session, true, 42, null));
        Assert.True(h.Machine.IsLeader);
        Assert.IsType<StopNeardAction>(h.Actions[^1]);
        return h;
    }

    /// <summary>Every renewal times out; every promise request is answered by each member as <paramref name="grant"/> says, at once.</summary>
    private static void RunWithoutConsul(MachineHarness h, TimeSpan duration, Func<string, bool> grant)
    {
        var members = h.Machine.Snapshot().Peers is not null ? MembersOf(h) : [];
        var end = h.Clock.Now + duration;
        var height = 5000L;
        var nextSample = h.Clock.Now;
        while (h.Clock.Now < end && h.Machine.IsLeader)
        {
            foreach (var action in h.Advance(h.Timings.TickInterval))
            {
                switch (action)
                {
                    case RenewSessionAction renew:
                        h.Send(new SessionRenewFailedEvent(renew.SessionId, new LockServiceError(LockServiceFailure.Unreachable, "timeout")));
                        break;
                    case RequestPromisesAction request:
                        foreach (var member in members)
                        {
                            h.Send(new PromiseAnsweredEvent(member, h.Clock.Now, grant(member), request.Duration, "no"));
                        }

                        break;
                }
            }

            if (h.Clock.Now >= nextSample)
            {
                nextSample = h.Clock.Now + TimeSpan.FromMilliseconds(500);
                h.Send(new StatusPolledEvent(h.Generation, new NeardHealthSample(++height, false, MachineHarness.AccountId, null)));
            }
        }
    }

    private static IReadOnlyList<string> MembersOf(MachineHarness h) => h.Members;
}
