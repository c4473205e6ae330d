namespace Knd.Localnet;

/// <summary>
/// Every timing the localnet derives from the options, in one place: the watchdog it gives each knd
/// and the failover bound of each fault kind. The formulas come from docs/failover-algorithm.md
/// (docs/run-localnet.md lists them with their reasons).
/// </summary>
internal sealed class LocalnetTimings
{
    /// <summary>The shipped knd.service's <c>WatchdogSec</c>.</summary>
    public static readonly TimeSpan MaxWatchdog = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan MinWatchdog = TimeSpan.FromMilliseconds(500);

    /// <summary>Acquire retry + consistent read + a hot swap that neard-sim applies at once: one second.</summary>
    public static readonly TimeSpan HotSwapPromotion = TimeSpan.FromSeconds(1);

    /// <summary>A restart promotion also starts a new neard-sim (a .NET process): two more seconds.</summary>
    public static readonly TimeSpan RestartPromotion = TimeSpan.FromSeconds(3);

    public LocalnetTimings(LocalnetOptions options)
    {
        Knd = FailoverTimings.From(options.SessionTtl, options.LockDelay, neardStopTimeout: null, neardStallTimeout: TimeSpan.FromSeconds(30), options.FastFailover);
        Peers = new PeerRules { FastFailover = options.FastFailover, Failsafe = options.Failsafe };
        if (options.LeaderSilence is { } silence)
        {
            Peers = Peers with { LeaderSilence = silence };
        }
        ConsulOutage = options.ConsulOutage;
        Watchdog = options.Watchdog ?? DefaultWatchdog(Knd);
        Promotion = options.Promotion == "restart" ? RestartPromotion : HotSwapPromotion;
        Etcd = options.OnEtcd;
    }

    /// <summary>The localnet runs on etcd: a lease expires a TTL after the last keep-alive, not Consul's 2 x TTL.</summary>
    public bool Etcd { get; }

    /// <summary>
    /// etcd's lessor checks expiries every 500 ms and revokes through Raft (a commit): an expired lease's
    /// key is gone within a second of its TTL (docs/failover-algorithm.md, "On etcd").
    /// </summary>
    public static readonly TimeSpan EtcdExpiryCheck = TimeSpan.FromSeconds(1);

    /// <summary>
    /// etcd's election after its quorum returns: the members restart (a Go process, well under a
    /// second), wait an election timeout (1 s by default, randomised up to 2 s) and may need a second
    /// round on a loaded machine.
    /// </summary>
    public static readonly TimeSpan EtcdElection = TimeSpan.FromSeconds(3);

    /// <summary>
    /// A new etcd leader extends every lease by its TTL plus an election timeout (etcd's default 1 s)
    /// from its promotion, so a lease that lived through an election may outlast a fresh one by this.
    /// </summary>
    public static readonly TimeSpan EtcdLeaseExtension = TimeSpan.FromSeconds(1);

    /// <summary>knd's gRPC channel tries a failed member again after at most 1 s (EtcdConnection's reconnect backoff).</summary>
    public static readonly TimeSpan EtcdReconnect = TimeSpan.FromSeconds(1);

    /// <summary>The lease knd asks for: the TTL rounded up to whole seconds (etcd's unit).</summary>
    public TimeSpan EtcdLeaseTtl => TimeSpan.FromSeconds(Math.Ceiling(Knd.SessionTtl.TotalSeconds));

    /// <summary>
    /// When the service frees the lock of a leader that stopped renewing, after its last renewal:
    /// Consul invalidates the session up to 2 x TTL later; etcd deletes the key when the lease
    /// expires, the (whole-second) TTL later and the expiry check.
    /// </summary>
    public TimeSpan SessionExpiry => Etcd ? EtcdLeaseTtl + EtcdExpiryCheck : 2 * Knd.SessionTtl;

    /// <summary>A watch that failed reconnects and answers again (on etcd the channel's reconnect comes first).</summary>
    public TimeSpan WatchRecoveryOnService => Etcd ? WatchRecovery + EtcdReconnect : WatchRecovery;

    /// <summary>knd's own timings for these options (the same code knd runs).</summary>
    public FailoverTimings Knd { get; }

    /// <summary>The peer-channel modes every knd runs with (default silence, heartbeat and promise timings).</summary>
    public PeerRules Peers { get; }

    /// <summary>consul-down, consul-leader-down and consul-down-kill-leader: how long Consul stays out.</summary>
    public TimeSpan ConsulOutage { get; }

    /// <summary>
    /// Fast failover: a passive notices the leader's silence (--leader-silence after its last
    /// heartbeat, seen at its next tick), destroys the session, and the lock-delay runs.
    /// </summary>
    public TimeSpan SilentLeaderDestroyed => Peers.LeaderSilence + Knd.TickInterval;

    /// <summary>
    /// Fast failover when the leader is alive but cut off from Consul: it still heartbeats, and its
    /// heartbeats report its renewal age; the passive destroys once that is RenewInterval +
    /// --leader-silence, counted from the last renewal, which is at most a renew interval before the cut.
    /// </summary>
    public TimeSpan CutOffLeaderDestroyed => Knd.RenewInterval + Peers.LeaderSilence + Knd.TickInterval;

    /// <summary>After an outage of the whole Consul a member sees the state loss and waits at most ForgottenStateWait (TTL + lock-delay); the failsafe's riders watch that long to settle.</summary>
    public TimeSpan OutageSettle => WatchRecoveryOnService + Knd.ForgottenStateWait + Knd.AcquireRetryInterval + Promotion;
    public TimeSpan Watchdog { get; }

    public TimeSpan Promotion { get; }

    /// <summary>
    /// "knd freezes": a loop that stops ticking still pings for up to WATCHDOG_USEC/2 (knd pings every
    /// W/2 while its last tick is younger than W/2), then the manager waits W: neard is dead by
    /// t_r + FenceAfter + TickInterval + 1.5 W. docs/deployment.md asks for that to stay below the TTL
    /// (before Consul can free the lock at all, the lock-delay left as extra margin).
    /// </summary>
    public TimeSpan FrozenLeaderDeadBy => Knd.FenceAfter + Knd.TickInterval + (1.5 * Watchdog);

    /// <summary>knd checks the same rule at start (and refuses to run when it fails).</summary>
    public bool WatchdogIsSafe => Watchdog == TimeSpan.Zero || Knd.CheckWatchdog(Watchdog) is null;

    /// <summary>
    /// The longest W with FenceAfter + TickInterval + 1.5 W &lt; TTL, in 100 ms steps, capped at the
    /// shipped unit's 2 s and at least 0.5 s: TTL 10 s gives 2 s, TTL 3 s gives 0.9 s.
    /// </summary>
    public static TimeSpan DefaultWatchdog(FailoverTimings knd)
    {
        var room = (knd.SessionTtl - knd.FenceAfter - knd.TickInterval) / 1.5;
        var steps = Math.Ceiling(room.TotalMilliseconds / 100) - 1;
        var watchdog = TimeSpan.FromMilliseconds(steps * 100);
        return watchdog > MaxWatchdog ? MaxWatchdog : watchdog < MinWatchdog ? MinWatchdog : watchdog;
    }

    /// <summary>
    /// The longest a leader should be unable to sign after the fault (consul-no-leader: after the
    /// heal; switchover: after the handover began). The first signature then waits for the next duty height.
    /// </summary>
    public TimeSpan Bound(FaultKind fault)
    {
        var t = Knd;
        var expiry = SessionExpiry + t.LockDelay;
        if (fault.IsRideThrough(Peers.Failsafe) && fault.IsConsulOutage())
        {
            // No failover is expected; from the heal, the bound sizes the watch of the settling back to one lock holder.
            return OutageSettle;
        }

        if (Peers.FastFailover && fault is FaultKind.KillLeaderHost or FaultKind.KillKnd or FaultKind.FreezeKnd or FaultKind.PartitionLeader)
        {
            // docs/failover-algorithm.md, "Fast failover": the destroy, then the lock-delay, then the promotion.
            return (fault == FaultKind.PartitionLeader ? CutOffLeaderDestroyed : SilentLeaderDestroyed) + t.LockDelay + Promotion;
        }

        return fault switch
        {
            // Consul invalidates the session up to 2 x TTL after the last renewal it saw (etcd: the lease's
            // TTL and the expiry check), then the lock-delay.
            FaultKind.KillLeaderHost or FaultKind.KillKnd or FaultKind.PartitionLeader => expiry + Promotion,

            // The watchdog kill does not free the lock either; the session expires as above (W < 2 x TTL).
            FaultKind.FreezeKnd => Max(Watchdog, SessionExpiry) + t.LockDelay + Promotion,

            // knd sees the exit at once, releases (no lock-delay), the passive's watch fires.
            FaultKind.CrashNeard => t.TickInterval + Promotion,

            // Three failed polls (each up to the poll interval + the RPC timeout), the bounded stop, then a release.
            FaultKind.HangNeard => (t.UnhealthyAfterFailures * (t.HealthPollInterval + t.NeardRpcTimeout)) + t.NeardStopTimeout + t.NeardKillConfirmTimeout + Promotion,

            // On etcd its leader member is killed and the others elect: an endurance fault, the bound only
            // sizes the wait. On Consul, after the heal Consul restarts every session timer at 2 x TTL; a
            // fenced leader's session may have to expire.
            FaultKind.ConsulNoLeader when Etcd => 2 * t.SessionTtl,
            FaultKind.ConsulNoLeader => expiry + Promotion,

            // From the heal: etcd elects, its new leader gives every lease a full TTL and an election
            // timeout, the fenced leader's lease may have to expire, then the lock-delay.
            FaultKind.EtcdQuorumLoss => EtcdElection + EtcdLeaseExtension + expiry + Promotion,

            // Stop neard (bounded), release naming the target, hot swap: knd's own handover budget.
            FaultKind.Switchover => t.NeardStopTimeout + t.NeardKillConfirmTimeout + Promotion,

            // A graceful stop of knd: the same bounded neard stop, then release (no lock-delay) and promotion.
            FaultKind.StopLeader => t.NeardStopTimeout + t.NeardKillConfirmTimeout + Promotion,

            // From the restart: the watches reset to index 0 and see the key missing, then nobody takes
            // it for ForgottenStateWait (docs/failover-algorithm.md, "Consul loses its state"); with fast
            // failover the passives know the leader's fence bound from its heartbeats and wait the lock-delay.
            FaultKind.ConsulRestart => WatchRecoveryOnService + t.ForgottenStateWaitFor(t.FenceBound) + t.AcquireRetryInterval + Promotion,

            // The mean time of the misses that judge the leader silent, then the step-down. A trial is
            // judged against the schedule's real duty heights instead (SilentLeaderStepDownAfter).
            FaultKind.SilentLeader => (SilentLeaderMisses * LocalnetOptions.BlockInterval * 100 / LocalnetOptions.DutyPercent) + SilentLeaderStepDown,

            // From the rogue's stop: every knd restarted (the operator's way to end the doppelganger
            // hold), then an election on a free lock (no lock-delay: the stopped knds destroyed their sessions).
            FaultKind.RogueSigner => t.NeardStopTimeout + t.NeardKillConfirmTimeout + RestartDelay + KndStartUp + t.AcquireRetryInterval + Promotion,

            // consul-down without the failsafe: the leader fences; from Consul's return, as consul-restart.
            // consul-leader-down: as consul-no-leader, from the heal. consul-down-kill-leader: from Consul's return;
            // the killed leader's promises (PromiseDuration) have run out long before, so the hold-off decides.
            FaultKind.ConsulDown or FaultKind.ConsulDownKillLeader => WatchRecoveryOnService + t.ForgottenStateWaitFor(t.FenceBound) + t.AcquireRetryInterval + Promotion,
            FaultKind.ConsulLeaderDown when Etcd => EtcdElection + EtcdLeaseExtension + expiry + Promotion,
            FaultKind.ConsulLeaderDown => expiry + Promotion,

            // No failover is expected: the bound only sizes the trial's wait.
            FaultKind.ConsulSlow => SlowConsulDuration,
            FaultKind.ConsulGarbage => GarbageConsulDuration,
            _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
        };
    }

    /// <summary>
    /// How long after the fault (switchover: after the handover began) the old leader's neard may
    /// still sign: at once when it was killed; for a frozen knd, until the watchdog; for a hung
    /// RPC, until knd's health check and stop; without Consul, until the fence (contract §4.3).
    /// A later signature is reported on the trial (the ledger's double-sign check is the hard one).
    /// </summary>
    public TimeSpan OldSignerStopsWithin(FaultKind fault)
    {
        var t = Knd;
        var stopped = fault switch
        {
            FaultKind.KillLeaderHost or FaultKind.KillKnd or FaultKind.CrashNeard => TimeSpan.Zero,
            FaultKind.FreezeKnd => 1.5 * Watchdog,
            FaultKind.HangNeard => Bound(fault) - Promotion,
            FaultKind.ConsulNoLeader or FaultKind.PartitionLeader or FaultKind.ConsulRestart or FaultKind.ConsulDown or FaultKind.ConsulLeaderDown or FaultKind.EtcdQuorumLoss => t.FenceBound,

            // The leader signs on under every member's promise until its host is killed, halfway through the outage.
            FaultKind.ConsulDownKillLeader => ConsulOutage / 2,
            FaultKind.ConsulSlow => SlowConsulDuration,
            FaultKind.Switchover or FaultKind.StopLeader => t.NeardStopTimeout + t.NeardKillConfirmTimeout,

            // The silent leader signs nothing from the fault on; the rogue trial stops the leader before it starts.
            FaultKind.SilentLeader or FaultKind.RogueSigner => TimeSpan.Zero,
            _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
        };
        return stopped + SignerStopTolerance;
    }

    /// <summary>A ledger line's time is written up to a sim tick after the height; the stop is seen up to a poll later.</summary>
    public static readonly TimeSpan SignerStopTolerance = TimeSpan.FromSeconds(1);

    /// <summary>consul-no-leader keeps the cluster leaderless this long: past the fence bound, so the leader must fence.</summary>
    public TimeSpan NoLeaderOutage => Knd.FenceBound + TimeSpan.FromSeconds(1);

    /// <summary>consul-restart: how long dev-consul stays down before the empty one starts (a quick process restart).</summary>
    public static readonly TimeSpan ConsulRestartOutage = TimeSpan.FromSeconds(2);

    /// <summary>A watch that failed retries after 0.5 s (ConsulDriver), plus the first answer of the new dev-consul.</summary>
    public static readonly TimeSpan WatchRecovery = TimeSpan.FromSeconds(1);

    /// <summary>consul-slow: every answer this late, just inside knd's Consul request timeout.</summary>
    public TimeSpan SlowConsulLatency => Knd.ConsulRequestTimeout - TimeSpan.FromMilliseconds(300);

    /// <summary>consul-slow lasts three TTLs: every renewal, watch answer and member write is slow for that long.</summary>
    public TimeSpan SlowConsulDuration => 3 * Knd.SessionTtl;

    /// <summary>consul-garbage lasts three TTLs, so every kind of request meets every spoil mode.</summary>
    public TimeSpan GarbageConsulDuration => 3 * Knd.SessionTtl;

    /// <summary>consul-garbage spoils every Nth answer: often enough to hit every operation, rarely enough that some renewals land.</summary>
    public const int GarbageEvery = 3;

    /// <summary>
    /// consul-garbage on etcd spoils every Nth chunk etcd sends to a knd, and each spoiled chunk ends
    /// its connection (a gRPC channel multiplexes every call on one): every 10th leaves the channel
    /// up most of the time, as every 3rd Consul answer leaves most Consul requests whole.
    /// </summary>
    public const int EtcdGarbageEvery = 10;

    /// <summary>
    /// silent-leader: the missed duty heights in a row after which a leader steps down at knd's
    /// defaults: <c>--mischance-confidence</c> misses are tolerated, then mischance counts until it
    /// passes <c>--max-mischance</c> (3 + 10 + 1 = 14).
    /// </summary>
    public static int SilentLeaderMisses => ProductionRules.DefaultMischanceConfidence + ProductionRules.DefaultMaxMischance + 1;

    /// <summary>
    /// silent-leader, after the last of those misses: the next block (neard counts a miss once a later
    /// block exists), the health poll that sees it, then the handover: the bounded neard stop and the
    /// passive's promotion.
    /// </summary>
    public TimeSpan SilentLeaderStepDown => LocalnetOptions.BlockInterval + Knd.HealthPollInterval + Knd.NeardStopTimeout + Knd.NeardKillConfirmTimeout + Promotion;

    /// <summary>The shipped unit's <c>RestartSec</c> (<see cref="UnitSettings.RestartDelay"/>).</summary>
    public static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// rogue-signer: a restarted knd until it contends: the .NET start, neard-sim's start and sync,
    /// registration (about 3 s on an idle machine; the rest is room for a loaded one).
    /// </summary>
    public static readonly TimeSpan KndStartUp = TimeSpan.FromSeconds(10);

    /// <summary>
    /// rogue-signer: the rogue starts only after the lock has been free this long, so that every block
    /// it signs is a stranger's to every node (the fence bound after the lock went free, plus knd's slack).
    /// </summary>
    public TimeSpan RogueStartAfterFree => Knd.FenceBound + new ProductionRules().StrangerSlack + TimeSpan.FromSeconds(1);

    /// <summary>
    /// rogue-signer: every node reports the doppelganger before the rogue has signed more than this many
    /// duty heights: the first is judged once the next block exists (500 ms) and seen at the next
    /// health poll (500 ms), so at most the two heights after it can be duties too.
    /// </summary>
    public const int RogueDetectionDutyHeights = 3;

    /// <summary>rogue-signer: after the early resume, the rogue signs this many more heights while the trial checks nobody promotes.</summary>
    public const int RogueHeightsAfterResume = 5;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
