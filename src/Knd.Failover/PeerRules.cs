namespace Knd.Failover;

/// <summary>
/// What the peer channel lets the machine do (<c>--fast-failover</c>, <c>--failsafe</c>), with the
/// timings that go with it; docs/failover-algorithm.md, "The peer channel", gives the reasons.
/// </summary>
internal sealed record PeerRules
{
    /// <summary>Passives destroy the session of a leader that can no longer renew, so Consul's lock-delay starts at once.</summary>
    public bool FastFailover { get; init; }

    /// <summary>
    /// A leader is judged unable to renew when no heartbeat came from it for this long, or when its
    /// heartbeats say its last successful renewal is older than <c>RenewInterval</c> plus this.
    /// Eight heartbeats: a loaded host does not miss that many without being in trouble.
    /// </summary>
    public TimeSpan LeaderSilence { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Below this a loaded host's missed heartbeats would look like a dead leader: four heartbeats.</summary>
    public static readonly TimeSpan MinLeaderSilence = TimeSpan.FromSeconds(1);

    /// <summary>Why <paramref name="silence"/> cannot be the leader silence under <paramref name="sessionTtl"/>, or null when it can.</summary>
    public static string? CheckLeaderSilence(TimeSpan silence, TimeSpan sessionTtl) =>
        silence < MinLeaderSilence || silence >= sessionTtl
            ? $"must be at least {MinLeaderSilence.TotalSeconds:0.###}s (four heartbeats) and below the session TTL ({sessionTtl.TotalSeconds:0.###}s)"
            : null;

    /// <summary>How often the leader sends its heartbeat to every member.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A leader that cannot reach Consul may keep signing while every member promised not to take the lock.</summary>
    public bool Failsafe { get; init; }

    /// <summary>
    /// How long one promise binds the member that gives it, on its own clock from when it received
    /// the request. A member whose knd restarts forgets its promises, so it does not take the lock
    /// for this long after it starts (<see cref="StartupPromiseWait"/>).
    /// </summary>
    public TimeSpan PromiseDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a leader asks for promises while its renewals fail.</summary>
    public TimeSpan PromiseRequestInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The leader counts a promise as lasting this fraction less than stated: monotonic clocks of two
    /// hosts run at rates that differ by parts per million; 1% covers that many times over.
    /// </summary>
    public double ClockDriftAllowance { get; init; } = 0.01;

    /// <summary>LockDelay must exceed the fence bound by this much with fast failover: scheduling and clock-rate slack.</summary>
    public TimeSpan FastFailoverMargin { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// With the failsafe on, a knd that starts does not take the lock for this long: before it died it
    /// may have promised the leader not to, and it has forgotten.
    /// </summary>
    public TimeSpan StartupPromiseWait => Failsafe ? PromiseDuration : TimeSpan.Zero;

    // The channel's own call bounds: each call ends well before the next one of its kind is due.

    /// <summary>TCP connect to a member: loopback or a LAN answers in milliseconds; a host that is down must not hold a heartbeat.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>One heartbeat: below the heartbeat interval, since a late heartbeat is worth nothing once the next is due.</summary>
    public TimeSpan HeartbeatTimeout => HeartbeatInterval * 0.8;

    /// <summary>
    /// One promise request: below the request interval, so one round's answers are in before the next
    /// round; above the member's <see cref="ConsulProbeTimeout"/> plus its <see cref="PromiseAnswerWait"/>.
    /// </summary>
    public TimeSpan PromiseTimeout => PromiseRequestInterval * 0.8;

    /// <summary>A member's check that Consul answers it (<c>/v1/status/leader</c>) before it answers a promise request.</summary>
    public TimeSpan ConsulProbeTimeout { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// Below this <see cref="PromiseBudget"/> knd warns at start: HTTP round trips and loop steps on a
    /// loaded host take a few hundred milliseconds (a 2-core CI run missed the 0.3 s of a 3 s TTL once;
    /// the 0.9 s of a 6 s TTL held under the same load).
    /// </summary>
    public static TimeSpan PromiseBudgetWarnBelow { get; } = TimeSpan.FromMilliseconds(750);

    /// <summary>
    /// What a leader whose renewal hangs (Consul drops packets) has for the round trips to every member:
    /// it asks once the renewal is overdue, each member's Consul probe runs its whole timeout, and every
    /// promise must be in before FenceAfter.
    /// </summary>
    public TimeSpan PromiseBudget(FailoverTimings timings) =>
        timings.FenceAfter - timings.RenewInterval - timings.RenewRetryInterval - ConsulProbeTimeout;

    /// <summary>How long a member's promise request waits for its machine's answer: the loop answers within a tick; the leader gives up after <see cref="PromiseTimeout"/> anyway.</summary>
    public TimeSpan PromiseAnswerWait { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>The longest promise a member gives: a request for more (only a holder of the secret could send one) is refused as malformed.</summary>
    public TimeSpan MaxPromise { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How far a peer request's or answer's timestamp may be from the receiver's wall clock: hosts of one validator run NTP.</summary>
    public TimeSpan AuthWindow { get; init; } = TimeSpan.FromSeconds(5);
}
