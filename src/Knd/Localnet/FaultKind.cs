namespace Knd.Localnet;

/// <summary>The faults of the chaos benchmark (contract §10), each injected on the current leader.</summary>
internal enum FaultKind
{
    /// <summary>SIGKILL knd and its neard together; the host comes back as a fresh start after the trial.</summary>
    KillLeaderHost,

    /// <summary>SIGKILL knd only: neard must die by the parent-death signal; the manager restarts knd.</summary>
    KillKnd,

    /// <summary>SIGSTOP knd: the emulated watchdog must kill it and its neard; the restart heals it.</summary>
    FreezeKnd,

    /// <summary>SIGKILL the leader's neard.</summary>
    CrashNeard,

    /// <summary>The <c>sim-rpc-hang</c> file in the leader's home: RPC stops answering, signing goes on.</summary>
    HangNeard,

    /// <summary>dev-consul loses its cluster leader for longer than the fence bound, then recovers.</summary>
    ConsulNoLeader,

    /// <summary>dev-consul black-holes every request of the leader's node id.</summary>
    PartitionLeader,

    /// <summary><c>knd switchover --wait</c> against the leader's control socket.</summary>
    Switchover,

    /// <summary>SIGTERM knd, as <c>systemctl restart knd</c> does: a graceful handover; the manager restarts knd.</summary>
    StopLeader,

    /// <summary>dev-consul is killed and started empty on the same port: Consul lost its state.</summary>
    ConsulRestart,

    /// <summary>Every Consul answer comes just below knd's request timeout for a while: the leader must ride it out.</summary>
    ConsulSlow,

    /// <summary>Every third Consul answer to every node is spoiled, cycling through every spoil mode: no knd may crash.</summary>
    ConsulGarbage,

    /// <summary>The <c>sim-no-sign</c> file in the leader's home: neard stays synced and live but signs nothing; the production watch must replace it.</summary>
    SilentLeader,

    /// <summary>
    /// With failover paused and the leader stopped (nobody leads), a neard-sim with the validator key
    /// outside the cluster signs: nobody may promote while it does, even after an early resume.
    /// </summary>
    RogueSigner,
    /// <summary>
    /// dev-consul is killed and, after <c>--consul-outage</c> (60 s), started empty on the same port: a
    /// Consul cluster that lost its data. With <c>--failsafe</c> the leader must sign throughout.
    /// </summary>
    ConsulDown,

    /// <summary>Only Consul's leader is lost for <c>--consul-outage</c>; sessions and keys survive. With <c>--failsafe</c> the leader must sign throughout.</summary>
    ConsulLeaderDown,

    /// <summary>consul-down, and the leader's host is killed halfway through the outage: measured from Consul's return.</summary>
    ConsulDownKillLeader,

    /// <summary>
    /// etcd only: two of the three members (etcd's leader among them) are SIGKILLed for longer than the
    /// fence bound, then started again on their data: the leader must fence, and a leader serve again.
    /// </summary>
    EtcdQuorumLoss,
}

/// <summary>The command-line names of <see cref="FaultKind"/>.</summary>
internal static class FaultKinds
{
    public static readonly IReadOnlyList<(string Name, FaultKind Kind)> All =
    [
        ("kill-leader-host", FaultKind.KillLeaderHost),
        ("kill-knd", FaultKind.KillKnd),
        ("freeze-knd", FaultKind.FreezeKnd),
        ("crash-neard", FaultKind.CrashNeard),
        ("hang-neard", FaultKind.HangNeard),
        ("consul-no-leader", FaultKind.ConsulNoLeader),
        ("partition-leader", FaultKind.PartitionLeader),
        ("switchover", FaultKind.Switchover),
        ("stop-leader", FaultKind.StopLeader),
        ("consul-restart", FaultKind.ConsulRestart),
        ("consul-slow", FaultKind.ConsulSlow),
        ("consul-garbage", FaultKind.ConsulGarbage),
        ("silent-leader", FaultKind.SilentLeader),
        ("rogue-signer", FaultKind.RogueSigner),
        ("consul-down", FaultKind.ConsulDown),
        ("consul-leader-down", FaultKind.ConsulLeaderDown),
        ("consul-down-kill-leader", FaultKind.ConsulDownKillLeader),
        ("etcd-quorum-loss", FaultKind.EtcdQuorumLoss),
    ];

    /// <summary>
    /// Faults the cluster should ride out with the same leader signing throughout (no failover
    /// expected): a slow Consul always; a Consul outage while every member promises (<c>--failsafe</c>).
    /// </summary>
    public static bool IsRideThrough(this FaultKind kind, bool failsafe = false) =>
        kind is FaultKind.ConsulSlow || (failsafe && kind.IsConsulOutage());

    /// <summary>
    /// Faults a failsafe leader may or may not ride out, by the timing of a short outage: in
    /// consul-restart (2 s) the leader rides through when it holds every member's promise before
    /// Consul answers again (it then takes the lost lock back and signs on), and fails over as without
    /// the failsafe when its watch reaches the empty Consul first. Either outcome passes.
    /// </summary>
    public static bool MayRideThrough(this FaultKind kind, bool failsafe) => failsafe && kind is FaultKind.ConsulRestart;

    /// <summary>The outages of the whole Consul that the failsafe rides out (the leader's host stays up).</summary>
    public static bool IsConsulOutage(this FaultKind kind) => kind is FaultKind.ConsulNoLeader or FaultKind.ConsulDown or FaultKind.ConsulLeaderDown or FaultKind.EtcdQuorumLoss;

    /// <summary>
    /// Faults that last a while and may or may not cost a failover; the trial passes when no knd
    /// crashes and the cluster is steady again after the heal (no height is ever signed twice).
    /// On etcd, consul-no-leader (etcd's leader member killed, a new one elected) is one too: the
    /// election takes about a second, and whether the leader's renewal meets it decides whether it
    /// rides through or fences.
    /// </summary>
    public static bool IsEndurance(this FaultKind kind, bool etcd = false) => kind is FaultKind.ConsulGarbage || (etcd && kind is FaultKind.ConsulNoLeader);

    /// <summary>Whether the kind runs on this coordination service (etcd-quorum-loss only on etcd).</summary>
    public static bool RunsOn(this FaultKind kind, bool etcd) => etcd || kind != FaultKind.EtcdQuorumLoss;

    public static string Name(this FaultKind kind) => All.First(f => f.Kind == kind).Name;

    /// <summary>One kind, a comma-separated list of kinds, or every kind for <c>all</c> (that runs on the service); null when a name is unknown.</summary>
    public static IReadOnlyList<FaultKind>? Parse(string text, bool etcd = false)
    {
        if (text == "all")
        {
            return [.. All.Select(f => f.Kind).Where(k => k.RunsOn(etcd))];
        }

        var kinds = new List<FaultKind>();
        foreach (var name in text.Split(','))
        {
            if (All.FirstOrDefault(f => f.Name == name.Trim()) is not { Name: not null } match)
            {
                return null;
            }

            if (!kinds.Contains(match.Kind))
            {
                kinds.Add(match.Kind);
            }
        }

        return kinds;
    }
}
