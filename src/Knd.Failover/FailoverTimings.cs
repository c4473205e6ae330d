namespace Knd.Failover;

/// <summary>
/// Every timing of the failover algorithm, derived from the session TTL and the few timing options,
/// each named with the reason for its value. docs/failover-algorithm.md gives the safety argument
/// that ties them together; <see cref="Check"/> enforces it at start.
/// </summary>
internal sealed record FailoverTimings
{
    /// <summary>Consul session TTL. Consul never expires a session earlier than this after a renewal reached it.</summary>
    public required TimeSpan SessionTtl { get; init; }

    /// <summary>Consul LockDelay: after an invalidation (expiry, destroy) nobody may acquire for this long.</summary>
    public required TimeSpan LockDelay { get; init; }

    /// <summary>How often the session is renewed: four chances per TTL, so one or two lost renewals do not fence.</summary>
    public required TimeSpan RenewInterval { get; init; }

    /// <summary>Retry pace after a failed renewal: fast enough to land one before <see cref="FenceAfter"/>.</summary>
    public required TimeSpan RenewRetryInterval { get; init; }

    /// <summary>
    /// A leader that has not had a renewal succeed for this long (measured from when that renewal
    /// was sent, on the monotonic clock) stops validating. Half the TTL leaves the other half for the stop.
    /// </summary>
    public required TimeSpan FenceAfter { get; init; }

    /// <summary>SIGTERM to SIGKILL grace for neard. Validator stops are bounded so the fence fits in the TTL.</summary>
    public required TimeSpan NeardStopTimeout { get; init; }

    /// <summary>How long to wait for the kernel to confirm neard's exit after SIGKILL.</summary>
    public required TimeSpan NeardKillConfirmTimeout { get; init; }

    /// <summary>Period of the supervision loop's timer tick: the granularity of every deadline above.</summary>
    public required TimeSpan TickInterval { get; init; }

    /// <summary>Timeout of one non-blocking Consul request; shorter than the renew interval so a hung request cannot eat the fence budget.</summary>
    public required TimeSpan ConsulRequestTimeout { get; init; }

    /// <summary>Blocking-query wait on the lock key. Changes arrive at once; this only bounds an idle request.</summary>
    public required TimeSpan LockWatchWait { get; init; }

    /// <summary>Interval between neard /status polls.</summary>
    public required TimeSpan HealthPollInterval { get; init; }

    /// <summary>Timeout of one neard RPC call: a hung RPC counts as a failure (kuutamod had none).</summary>
    public required TimeSpan NeardRpcTimeout { get; init; }

    /// <summary>Consecutive failed /status polls after which neard is unhealthy (kuutamod: 3).</summary>
    public required int UnhealthyAfterFailures { get; init; }

    /// <summary>A neard that says it is synced but whose head has not advanced for this long is unhealthy.</summary>
    public required TimeSpan NeardStallTimeout { get; init; }

    /// <summary>How long a starting neard may take before /status answers (kuutamod: 120 s).</summary>
    public required TimeSpan NeardStartupTimeout { get; init; }

    /// <summary>Pause between neard restarts after it exits on its own, so a crash loop does not spin.</summary>
    public required TimeSpan NeardRestartBackoff { get; init; }

    /// <summary>Pause between acquire attempts while a lock-delay is in force or an attempt failed: short, so a freed lock is taken soon after its delay.</summary>
    public TimeSpan AcquireRetryInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long other nodes leave a lock released with a handover hint to the named node: long enough for its watch to see the release and acquire.</summary>
    public TimeSpan HandoverGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long neard may take to report the hot-swapped validator key before the promotion is abandoned (real neard applies a reload within about a second).</summary>
    public TimeSpan PromotionVerifyTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Pause between SIGKILL attempts while the kernel has not confirmed neard's exit.</summary>
    public TimeSpan UnconfirmedStopRetry { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>First pause between session-create attempts; it doubles after each failure, so an unreachable service is not hammered.</summary>
    public TimeSpan CreateBackoffMin { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest pause between session-create attempts: a recovered service is used again within this.</summary>
    public TimeSpan CreateBackoffMax { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>First pause before a node that failed a promotion contends for the lock again; it doubles after each consecutive failure.</summary>
    public TimeSpan PromotionBackoffMin { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Longest pause after failed promotions. A node whose promotions keep failing (a neard wrapper
    /// that does not exec, a key neard refuses) then tries about once a minute instead of many times
    /// a second, and another passive gets the lock in between.
    /// </summary>
    public TimeSpan PromotionBackoffMax { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The bound of the operator's pre-promote hook (<c>--hook-timeout</c>), or null when there is no
    /// <c>--pre-promote</c> hook. A hook that has not answered by then vetoes the promotion; the
    /// machine also gives up on its own a tick after this, should the shell's answer never come.
    /// </summary>
    public TimeSpan? PrePromoteTimeout { get; init; }

    /// <summary>
    /// How long past <see cref="PrePromoteTimeout"/> the machine waits for the shell's answer before it
    /// counts the hook as a veto itself: the shell kills the hook at its timeout and answers at once,
    /// so this only covers a lost answer, and stops a node from holding the lock unpromoted for ever.
    /// </summary>
    public TimeSpan PrePromoteAnswerGrace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A node that holds the confirmed lock starts its promotion only if its last successful renewal
    /// was sent less than this ago; otherwise it renews first. One renew interval: renewals are sent
    /// every RenewInterval from the previous send, so while the service answers within its request
    /// timeout the age stays below RenewInterval + the answer time, and a promotion that starts under
    /// this limit has at least FenceAfter - RenewInterval before its fence.
    /// </summary>
    public TimeSpan PromoteWithinRenewalAge => RenewInterval;

    /// <summary>
    /// How long a passive leaves a free lock to a better ready passive (higher <c>--priority</c>, or the
    /// same and a higher head) before it contends anyway, counted from the end of the lock-delay. The
    /// better node retries its acquire every <see cref="AcquireRetryInterval"/>, and its answer and this
    /// node's watch need less than a request timeout, itself below <see cref="RenewInterval"/>.
    /// </summary>
    public TimeSpan PriorityDeferral => RenewInterval + AcquireRetryInterval;

    /// <summary>
    /// How long a node may hold the lock without promoting (waiting for a fresh renewal) before it
    /// gives the lock back: a node that cannot renew should not keep every other node out.
    /// </summary>
    public TimeSpan UnpromotedLockHoldLimit => FenceAfter;

    /// <summary>
    /// After this node sees that the lock service lost its state (the lock key missing, an index gone
    /// backwards), no node may take the lock for this long. An old leader's last successful renewal
    /// was processed before the loss, so its neard is dead by FenceBound &lt; TTL after it; waiting TTL +
    /// lock-delay from the first sighting (which is after the loss) covers it with the lock-delay as margin.
    /// This is the wait when this node does not know the old holder's fence bound; see <see cref="ForgottenStateWaitFor"/>.
    /// </summary>
    public TimeSpan ForgottenStateWait => SessionTtl + LockDelay;

    /// <summary>
    /// The same wait with fast failover, when this node knows the holder before the loss and its fence
    /// bound (this node itself, or a leader whose heartbeats reported it): that fence bound plus the
    /// margin, and at least the lock-delay, which the start-up check makes cover this node's own. The
    /// margin is the one a peer's destroy of a silent leader's session leaves; the TTL of
    /// <see cref="ForgottenStateWait"/> is margin fast failover has given up for a dead leader already.
    /// </summary>
    public TimeSpan ForgottenStateWaitFor(TimeSpan holderFenceBound) =>
        FastFailover ? Max(LockDelay, holderFenceBound + FastFailoverMargin) : ForgottenStateWait;

    /// <summary>
    /// The worst case from the last successful renewal being sent to the validating neard's confirmed
    /// exit when the leader can no longer renew.
    /// </summary>
    public TimeSpan FenceBound => FenceAfter + TickInterval + NeardStopTimeout + NeardKillConfirmTimeout;

    /// <summary>Whether passives may destroy a silent leader's session (fast failover): then the lock-delay alone separates the two signers.</summary>
    public bool FastFailover { get; init; }

    /// <summary>With fast failover, LockDelay must exceed <see cref="FenceBound"/> by this much (scheduling and clock-rate slack).</summary>
    public TimeSpan FastFailoverMargin { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The shortest lock-delay fast failover allows, rounded up to 250 ms: the default when --lock-delay is not given.</summary>
    public TimeSpan FastFailoverLockDelay => RoundUp(FenceBound + FastFailoverMargin, TimeSpan.FromMilliseconds(250));

    /// <summary>The timings at knd's default TTL (10 s) and lock-delay (5 s): for parts that only need the shell's values below.</summary>
    public static FailoverTimings Defaults { get; } = From(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), null, TimeSpan.FromSeconds(30));

    // The shell's timings: the lock-service drivers and the coordinators around the machine. None
    // bears on safety (the fence arithmetic above does); each bounds a retry or a wait.

    /// <summary>A session destroy (etcd: lease revoke) stops retrying after this (or 2 x TTL, if shorter): by then it has expired or soon will.</summary>
    public TimeSpan DestroyGiveUpAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First pause between destroy attempts: a blip in the lock service is retried at once.</summary>
    public TimeSpan DestroyRetryMin { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest pause between destroy attempts, so several tries fit in <see cref="DestroyGiveUpAfter"/>.</summary>
    public TimeSpan DestroyRetryMax { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Shortest pause between two watch requests, so a misbehaving server cannot make a watch spin.</summary>
    public TimeSpan WatchMinInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Pause after a failed watch request: a recovered lock service is seen again within half a second.</summary>
    public TimeSpan WatchRetryInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>First pause after a failed member-record write: a blip costs half a second of a stale record.</summary>
    public TimeSpan MemberRetryMin { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Longest pause between member-record writes while they fail. The record only informs status, the
    /// list and the choice of a switchover target, never the lock; without a pause a failing write was
    /// retried on every loop event (about 30 a second).
    /// </summary>
    public TimeSpan MemberRetryMax { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How stale the head height in the member record may get: <c>knd list</c> shows each member's lag
    /// and a priority tie is broken by height; one write every 5 s instead of one per block.
    /// </summary>
    public TimeSpan MemberHeightRefresh { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <c>knd list</c> marks a member stale when its record's last renewal is older than this. A live
    /// member renews every <see cref="RenewInterval"/> and rewrites its record within
    /// <see cref="MemberHeightRefresh"/>; one that renewed nothing for 2 x TTL (Consul's own bound for
    /// invalidating a session) has lost its session, so an older record says nothing current even
    /// while the lock service has not dropped it yet (or its knd cannot write it). Only for display:
    /// the lock and the handover choices go by the session alone.
    /// </summary>
    public TimeSpan MemberStaleAfter => (SessionTtl * 2) + MemberHeightRefresh;

    /// <summary>How often the switchover coordinator looks at the cluster and at neard's head: a block is 500 ms or more.</summary>
    public TimeSpan SwitchoverPollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long a switchover waits for a long-enough duty-free window before failing: as long as the
    /// CLI's default <c>--timeout</c>. At a third of heights on duty such a window comes in three minutes
    /// on average and over ten now and then (measured by the chaos benchmark).
    /// </summary>
    public TimeSpan SwitchoverWindowTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How long the switchover target has to take the lock after the release: a promotion takes about a second.</summary>
    public TimeSpan SwitchoverTakeoverTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long neard may take to apply a maintenance SIGHUP reload (nearcore checks about once a second);
    /// also the bound on waiting for the loop to take the height, and for a replaced neard to settle before the next attempt.
    /// </summary>
    public TimeSpan MaintenanceReloadConfirmTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest a maintenance request works in the daemon: under the control CLI's 30 s request
    /// timeout, so the operator always gets the daemon's answer (scheduled, or nothing scheduled)
    /// rather than a timeout that leaves it unknown. An attempt overtaken by a neard restart or a
    /// change of leadership is made again only while a whole attempt (<see cref="MaintenanceAttemptBound"/>) still fits.
    /// </summary>
    public TimeSpan MaintenanceRequestBudget { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// The longest one maintenance attempt after the first can take: the replaced neard settling, the
    /// reload confirmed and the loop's answer (each at most <see cref="MaintenanceReloadConfirmTimeout"/>),
    /// and neard's head and windows read (each at most <see cref="NeardRpcTimeout"/>).
    /// </summary>
    public TimeSpan MaintenanceAttemptBound => (3 * MaintenanceReloadConfirmTimeout) + (2 * NeardRpcTimeout);

    /// <summary>How often neard's reload counter (and the loop's answer) is read while a maintenance waits for its confirmation: ten reads a second against nearcore's one check.</summary>
    public TimeSpan MaintenanceReloadPollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>What a switchover handover needs beyond the worst-case neard stop: the target's acquire, consistent read and hot swap (well under a second on loopback).</summary>
    public TimeSpan SwitchoverTakeoverAllowance { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The time a switchover's handover needs: the worst-case neard stop, then the target's part (<see cref="SwitchoverTakeoverAllowance"/>).</summary>
    public TimeSpan SwitchoverHandoverBudget => NeardStopTimeout + NeardKillConfirmTimeout + SwitchoverTakeoverAllowance;

    /// <summary>How long the switchover coordinator waits for the watch to show a phase it wrote (the next write needs its index) before it goes on without it.</summary>
    public TimeSpan SwitchoverRecordEchoTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a writer looks for its watch to echo what it wrote (a switchover phase, the pause flag): the watch delivers a change within milliseconds.</summary>
    public TimeSpan WatchEchoPollInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// How long a control request that wrote to the lock service (<c>knd pause</c> / <c>resume</c>, a
    /// switchover request or its cancel) waits for this node's own view (its cluster watch, within
    /// milliseconds) to show the write, so a <c>knd status</c> or <c>knd switchover --status</c> right
    /// after the answer agrees with it. Past this the answer still comes: the write is done, and the
    /// view follows its watch.
    /// </summary>
    public TimeSpan ControlEchoTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A failed write of the machine's cluster-wide pause is retried after this times the attempt
    /// (0.5, 1, 1.5, 2 s): a blip is ridden out in a few seconds, then the failure is logged for the operator.
    /// </summary>
    public TimeSpan ClusterPauseRetryStep { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Bound on the start-up reap of this node's own session left by an earlier run: a few requests; on failure that session simply expires.</summary>
    public TimeSpan StartupReapTimeout => ConsulRequestTimeout * 3;

    /// <summary>How long setsid and setpriv may take to exec neard before the start fails: both exec at once, so only a broken host takes this long.</summary>
    public TimeSpan NeardExecTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a starting neard's command line is read until setpriv has exec'd it: a start returns within a millisecond of the exec.</summary>
    public TimeSpan NeardExecPollInterval { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>How often neard's process group is checked for live members after its main pid went: the exit (which lets the lock go) is confirmed within this of the group's end.</summary>
    public TimeSpan NeardGroupPollInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>A neard process group that outlives its leader gets SIGKILL again this often, in case a member forked meanwhile.</summary>
    public TimeSpan NeardGroupKillRepeat { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long, after neard's main pid and its group are gone, its last output lines (and with them
    /// its exit code) may take; only a process that left the group can hold the pipes longer.
    /// </summary>
    public TimeSpan NeardOutputDrainTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often a SIGKILLed stray neard is checked for being gone: a start waits on it, for at most <see cref="NeardKillConfirmTimeout"/>.</summary>
    public TimeSpan StrayNeardPollInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>How long knd waits for a killed hook's pipes to close before it stops waiting (a grandchild that left the group may hold them).</summary>
    public TimeSpan HookKilledExitWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long knd's exit waits for queued role-change hooks (and at most <c>--hook-timeout</c>): well
    /// inside <see cref="HostShutdownTimeout"/>, so a slow hook cannot turn a clean stop into a killed one.
    /// </summary>
    public TimeSpan HookExitDrainLimit { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>What the host's shutdown allows beyond <see cref="FenceBound"/>: the release, the session destroy and <see cref="HookExitDrainLimit"/>.</summary>
    public TimeSpan HostShutdownAllowance { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The host's shutdown timeout: the supervisor's own shutdown (stop neard, release, destroy, hooks) is bounded well below it.</summary>
    public TimeSpan HostShutdownTimeout => FenceBound + HostShutdownAllowance;

    /// <summary>
    /// The outer bound on <c>knd run</c>'s graceful stop after SIGTERM, above <see cref="HostShutdownTimeout"/>
    /// at the defaults; systemd's TimeoutStopSec (30 s in the shipped unit) comes first.
    /// </summary>
    public TimeSpan RunTerminationTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Without a service-manager watchdog, how often the state is checked for a <c>STATUS=</c> update.</summary>
    public TimeSpan WatchdogStatusOnlyPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the loop may be silent, without the watchdog ping stopping, while knd cannot hold the
    /// lock (Startup, Syncing, Registering): neard runs without the validator key there and only the loop
    /// can give it one, so a slow tick cannot make a second signer; on a busy host the first ticks
    /// (start-up JIT, the first neard start and RPC poll) can take over a second, and a watchdog kill
    /// would only restart knd into the same slow start. A loop silent this long is still killed.
    /// </summary>
    public TimeSpan WatchdogPreLockTickBound { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>etcd: first pause before reconnecting to a member, so a restarted member is used again at once.</summary>
    public TimeSpan EtcdReconnectBackoffMin { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>etcd: longest pause before reconnecting, so a restarted member is used again within a second, not after gRPC's default of up to 2 minutes.</summary>
    public TimeSpan EtcdReconnectBackoffMax { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// etcd: HTTP/2 pings on an idle-looking connection find a dead member (a killed host, a cut cable)
    /// that TCP alone would notice only after minutes. etcd refuses pings more often than every 5 s
    /// (<c>--grpc-keepalive-min-time</c>), so 10 s.
    /// </summary>
    public TimeSpan EtcdKeepAlivePingDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>etcd: a ping unanswered this long marks the connection dead (half the ping delay).</summary>
    public TimeSpan EtcdKeepAlivePingTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// An ongoing failure (of the lock service, a peer, neard) shows in the log this often: often enough
    /// that whoever reads the log sees it is still going on, six lines a minute instead of one per request.
    /// </summary>
    public TimeSpan FailureLogSummaryInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Builds the timings from the options, with the defaults of docs/failover-algorithm.md. With
    /// <paramref name="fastFailover"/> the fence is tightened (renewals every TTL/5, fence after
    /// 0.4 TTL, a 1.5 s request timeout, a TTL/10 SIGTERM grace, a 0.5 s kill confirmation) so that the lock-delay that must
    /// cover it, and with it the failover, fits in about one TTL; <paramref name="lockDelay"/> null then
    /// takes <see cref="FastFailoverLockDelay"/>.
    /// </summary>
    public static FailoverTimings From(TimeSpan sessionTtl, TimeSpan? lockDelay, TimeSpan? neardStopTimeout, TimeSpan neardStallTimeout, bool fastFailover = false)
    {
        var ttl = sessionTtl;
        var timings = new FailoverTimings
        {
            SessionTtl = ttl,
            LockDelay = lockDelay ?? TimeSpan.FromSeconds(5),
            FastFailover = fastFailover,
            RenewInterval = fastFailover ? ttl / 5 : ttl / 4,
            RenewRetryInterval = Min(TimeSpan.FromMilliseconds(500), ttl / 20),
            FenceAfter = fastFailover ? ttl * 0.4 : ttl / 2,
            // With fast failover the lock-delay covers the fence bound, so each second of SIGTERM grace is a
            // second of every failover; real neard seldom ends a graceful stop within 2 s anyway ("this may
            // take a few minutes"; RocksDB is crash-safe), so half of it buys little.
            NeardStopTimeout = neardStopTimeout ?? Min(TimeSpan.FromSeconds(5), fastFailover ? ttl / 10 : ttl / 5),
            NeardKillConfirmTimeout = fastFailover ? Min(TimeSpan.FromMilliseconds(500), ttl / 20) : Min(TimeSpan.FromSeconds(1), ttl / 10),
            TickInterval = Min(TimeSpan.FromMilliseconds(250), ttl / 40),
            ConsulRequestTimeout = fastFailover ? Min(TimeSpan.FromMilliseconds(1500), ttl / 5) : Min(TimeSpan.FromSeconds(5), ttl / 5),
            LockWatchWait = TimeSpan.FromSeconds(30),
            HealthPollInterval = TimeSpan.FromMilliseconds(500),
            NeardRpcTimeout = TimeSpan.FromSeconds(1),
            UnhealthyAfterFailures = 3,
            NeardStallTimeout = neardStallTimeout,
            NeardStartupTimeout = TimeSpan.FromSeconds(120),
            NeardRestartBackoff = TimeSpan.FromSeconds(1),
        };
        return fastFailover && lockDelay is null ? timings with { LockDelay = timings.FastFailoverLockDelay } : timings;
    }

    /// <summary>
    /// The "knd freezes" rule (docs/failover-algorithm.md): a frozen leader's neard must be killed by
    /// the service manager before its session can expire. knd pings every W/2 and only after a loop
    /// tick within that half period, so the manager fires at most 1.5 W after the last tick. An error
    /// naming both settings, or null when the watchdog (if any) is short enough.
    /// </summary>
    public string? CheckWatchdog(TimeSpan? watchdog)
    {
        if (watchdog is not { } w)
        {
            return null;
        }

        var deadBy = FenceAfter + TickInterval + (w * 1.5);
        return deadBy < SessionTtl
            ? null
            : $"the service manager's watchdog ({w.TotalMilliseconds:0} ms, WatchdogSec/WATCHDOG_USEC) is too long for a {SessionTtl.TotalMilliseconds:0} ms session TTL: a frozen leader's neard could live {deadBy.TotalMilliseconds:0} ms after its last renewal; lower WatchdogSec below {((SessionTtl - FenceAfter - TickInterval) / 1.5).TotalMilliseconds:0} ms or raise --session-ttl";
    }

    /// <summary>The cross-field rule of the safety argument, or null when it holds.</summary>
    public string? Check()
    {
        if (FenceBound >= SessionTtl)
        {
            return $"the fence bound ({Format(FenceBound)} = fence-after + tick + --neard-stop-timeout + kill confirm) must be below --session-ttl ({Format(SessionTtl)}); lower --neard-stop-timeout or raise --session-ttl";
        }

        if (FastFailover && LockDelay < FenceBound + FastFailoverMargin)
        {
            return $"--lock-delay ({Format(LockDelay)}) must be at least the fence bound plus {Format(FastFailoverMargin)} ({Format(FenceBound + FastFailoverMargin)}) with --fast-failover: a passive that destroys a silent leader's session, or takes a lock key Consul forgot, relies on the lock-delay alone to outlast the old leader's fence; raise --lock-delay (or leave it out) or lower --neard-stop-timeout";
        }

        return null;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan RoundUp(TimeSpan value, TimeSpan step) => TimeSpan.FromTicks((value.Ticks + step.Ticks - 1) / step.Ticks * step.Ticks);

    private static string Format(TimeSpan t) => $"{t.TotalMilliseconds:0}ms";
}
