using System.Diagnostics;
using Knd.Interop;

namespace Knd.Localnet;

/// <summary>A fault in progress: on whom, when, and from when its failover is measured.</summary>
internal sealed class Injection
{
    public required FaultKind Kind { get; init; }

    public required DaemonUnit Leader { get; init; }

    public required DateTimeOffset InjectedAt { get; init; }

    /// <summary>The fault itself, except consul-no-leader (the heal) and switchover (the handover's start).</summary>
    public DateTimeOffset MeasureFrom { get; set; }

    public List<string> Notes { get; } = [];

    public string? Failure { get; set; }

    public int OrphansBefore { get; init; }

    public int WatchdogKillsBefore { get; init; }

    public int StartsBefore { get; init; }

    public Process? Switchover { get; set; }
}

/// <summary>Injects each fault kind on the leader and heals it again.</summary>
internal sealed partial class FaultInjector
{
    /// <summary>knd waits up to its window timeout for a duty-free window long enough to hand over (minutes at TTL 10 s).</summary>
    private static readonly TimeSpan HandoverStartTimeout = FailoverTimings.Defaults.SwitchoverWindowTimeout + TimeSpan.FromSeconds(30);
    private readonly LocalCluster _cluster;
    private readonly Func<CancellationToken, Task<ClusterSnapshot>> _poll;
    private readonly TimeProvider _time;

    public FaultInjector(LocalCluster cluster, Func<CancellationToken, Task<ClusterSnapshot>> poll, TimeProvider time)
    {
        _cluster = cluster;
        _poll = poll;
        _time = time;
    }

    public async Task<Injection> InjectAsync(FaultKind kind, NodeSnapshot leader, CancellationToken cancellationToken)
    {
        var unit = leader.Unit;
        await unit.RefreshTreeAsync(cancellationToken);
        var injection = new Injection
        {
            Kind = kind,
            Leader = unit,
            InjectedAt = _time.GetUtcNow(),
            OrphansBefore = unit.Orphans,
            WatchdogKillsBefore = unit.WatchdogKills,
            StartsBefore = unit.Starts,
        };
        injection.MeasureFrom = injection.InjectedAt;
        switch (kind)
        {
            case FaultKind.KillLeaderHost:
                await unit.KillHostAsync(cancellationToken);
                break;
            case FaultKind.KillKnd:
                await unit.KillKndAsync(cancellationToken);
                break;
            case FaultKind.FreezeKnd:
                await unit.FreezeAsync(cancellationToken);
                break;
            case FaultKind.CrashNeard:
                CrashNeard(leader, injection);
                break;
            case FaultKind.HangNeard:
                await File.WriteAllTextAsync(unit.Layout.RpcHangFile, string.Empty, cancellationToken);
                break;
            case FaultKind.ConsulNoLeader when _cluster.Dcs is LocalEtcd etcd:
                injection.Notes.Add(await etcd.KillLeaderMemberAsync(cancellationToken));
                break;
            case FaultKind.ConsulNoLeader or FaultKind.EtcdQuorumLoss:
                await NoLeaderAsync(injection, cancellationToken);
                break;
            case FaultKind.PartitionLeader:
                _cluster.Dcs.SetBlackhole(unit.NodeId, enabled: true);
                break;
            case FaultKind.Switchover:
                await SwitchoverAsync(injection, cancellationToken);
                break;
            case FaultKind.StopLeader:
                await unit.TerminateKndAsync(cancellationToken);
                break;
            case FaultKind.ConsulRestart:
                await _cluster.Dcs.StopAsync();
                await Task.Delay(LocalnetTimings.ConsulRestartOutage, _time, cancellationToken);
                await _cluster.Dcs.StartEmptyAsync(cancellationToken);
                injection.MeasureFrom = _time.GetUtcNow();
                injection.Notes.Add($"{_cluster.Dcs.Kind} down {LocalnetTimings.ConsulRestartOutage.TotalSeconds:0} s, back empty; measured from its restart");
                break;
            case FaultKind.ConsulGarbage:
                injection.Notes.Add(_cluster.Dcs.StartGarbage(_cluster.Timings.GarbageConsulDuration));
                break;
            case FaultKind.SilentLeader:
                await File.WriteAllTextAsync(unit.Layout.NoSignFile, string.Empty, cancellationToken);
                injection.Notes.Add($"sim-no-sign on {unit.NodeId}: steps down after {LocalnetTimings.SilentLeaderMisses} missed duty heights");
                break;
            case FaultKind.ConsulDown or FaultKind.ConsulDownKillLeader:
                await ConsulDownAsync(injection, cancellationToken);
                break;
            case FaultKind.ConsulLeaderDown:
                await ConsulLeaderDownAsync(injection, cancellationToken);
                break;
            case FaultKind.ConsulSlow:
                _cluster.Dcs.SetLatency(_cluster.Timings.SlowConsulLatency);
                injection.Notes.Add($"every {_cluster.Dcs.Kind} answer {_cluster.Timings.SlowConsulLatency.TotalMilliseconds:0} ms late for {_cluster.Timings.SlowConsulDuration.TotalSeconds:0} s");
                break;
        }

        return injection;
    }

    /// <summary>Undoes the fault once a leader signs again; the trial then waits for the steady state.</summary>
    public async Task HealAsync(Injection injection, CancellationToken cancellationToken)
    {
        var unit = injection.Leader;
        switch (injection.Kind)
        {
            case FaultKind.KillLeaderHost or FaultKind.ConsulDownKillLeader:
                await unit.StartAsync(cancellationToken);
                break;
            case FaultKind.KillKnd:
                // The manager sees the exit, gives neard a moment to die by itself, then restarts knd.
                await HealByRestartAsync(injection, TimeSpan.FromSeconds(10), "its SIGKILLed knd (no parent-death signal)", cancellationToken);
                break;
            case FaultKind.StopLeader:
                // knd stops neard, releases and exits 0; Restart=always brings it back as a passive.
                await HealByRestartAsync(injection, unit.Settings.StopTimeout + TimeSpan.FromSeconds(5), "its gracefully stopped knd", cancellationToken);
                break;
            case FaultKind.FreezeKnd:
                await HealFreezeAsync(injection, cancellationToken);
                break;
            case FaultKind.HangNeard:
                File.Delete(unit.Layout.RpcHangFile);
                break;
            case FaultKind.PartitionLeader:
                _cluster.Dcs.SetBlackhole(unit.NodeId, enabled: false);
                break;
            case FaultKind.Switchover:
                await FinishSwitchoverAsync(injection, cancellationToken);
                break;
            case FaultKind.ConsulSlow:
                _cluster.Dcs.SetLatency(TimeSpan.Zero);
                break;
            case FaultKind.ConsulGarbage:
                _cluster.Dcs.StopGarbage();
                break;
            case FaultKind.SilentLeader:
                // The operator fixes the host, then restarts knd to end its not-producing back-off (docs/operations.md).
                File.Delete(unit.Layout.NoSignFile);
                await unit.TerminateKndAsync(cancellationToken);
                await HealByRestartAsync(injection, unit.Settings.StopTimeout + TimeSpan.FromSeconds(5), "its gracefully stopped knd", cancellationToken);
                break;
        }
    }

    /// <summary>Waits for the manager to start knd again, and fails the trial if it did not or had to kill a surviving neard.</summary>
    private async Task HealByRestartAsync(Injection injection, TimeSpan timeout, string whoseKnd, CancellationToken cancellationToken)
    {
        var unit = injection.Leader;
        await WaitForAsync(() => unit.Starts > injection.StartsBefore, timeout, cancellationToken);
        if (unit.Starts == injection.StartsBefore)
        {
            injection.Failure = $"knd was not started again within {timeout.TotalSeconds:0} s";
        }
        else if (unit.Orphans > injection.OrphansBefore)
        {
            injection.Failure = $"neard outlived {whoseKnd}; the manager killed it";
        }
    }

    private static void CrashNeard(NodeSnapshot leader, Injection injection)
    {
        var neard = leader.Status?.NeardPid ?? leader.Unit.Tree.Select(p => (int?)p.Pid).FirstOrDefault();
        if (neard is not { } pid || !Libc.Kill(pid, Libc.SigKill))
        {
            injection.Failure = "the leader had no neard to crash";
        }
    }

    /// <summary>consul-no-leader (on etcd: etcd-quorum-loss): no leader for longer than the fence bound, then the heal.</summary>
    private async Task NoLeaderAsync(Injection injection, CancellationToken cancellationToken)
    {
        var lost = await _cluster.Dcs.LoseLeaderAsync(cancellationToken);
        try
        {
            var outage = _cluster.Timings.NoLeaderOutage;
            while (_time.GetUtcNow() - injection.InjectedAt < outage)
            {
                await _poll(cancellationToken);
                await Task.Delay(TimeSpan.FromMilliseconds(100), _time, cancellationToken);
            }
        }
        finally
        {
            await _cluster.Dcs.RestoreLeaderAsync(CancellationToken.None);
        }

        injection.MeasureFrom = _time.GetUtcNow();
        injection.Notes.Add($"{lost} for {(injection.MeasureFrom - injection.InjectedAt).TotalSeconds:0.0} s; measured from the heal");
    }

    /// <summary>
    /// consul-down: dev-consul is stopped (every connection dropped) and, after the outage, a new empty
    /// one starts on the same port. consul-down-kill-leader also kills the leader's host halfway through.
    /// The cluster is polled throughout, so missed duties and leaders are seen during the outage.
    /// </summary>
    private async Task ConsulDownAsync(Injection injection, CancellationToken cancellationToken)
    {
        var outage = _cluster.Timings.ConsulOutage;
        await _cluster.Dcs.StopAsync();
        try
        {
            await PollForAsync(injection.InjectedAt, outage / 2, cancellationToken);
            if (injection.Kind == FaultKind.ConsulDownKillLeader)
            {
                await injection.Leader.KillHostAsync(cancellationToken);
                injection.Notes.Add($"leader host killed {(_time.GetUtcNow() - injection.InjectedAt).TotalSeconds:0.0} s into the outage");
            }

            await PollForAsync(injection.InjectedAt, outage, cancellationToken);
        }
        finally
        {
            await _cluster.Dcs.StartEmptyAsync(CancellationToken.None);
        }

        injection.MeasureFrom = _time.GetUtcNow();
        injection.Notes.Add($"{_cluster.Dcs.Kind} down {(injection.MeasureFrom - injection.InjectedAt).TotalSeconds:0.0} s, back empty; measured from its return");
    }

    /// <summary>consul-leader-down: Consul loses only its leader for the outage (sessions and keys survive).</summary>
    private async Task ConsulLeaderDownAsync(Injection injection, CancellationToken cancellationToken)
    {
        var lost = await _cluster.Dcs.LoseLeaderAsync(cancellationToken);
        try
        {
            await PollForAsync(injection.InjectedAt, _cluster.Timings.ConsulOutage, cancellationToken);
        }
        finally
        {
            await _cluster.Dcs.RestoreLeaderAsync(CancellationToken.None);
        }

        injection.MeasureFrom = _time.GetUtcNow();
        injection.Notes.Add($"{lost} for {(injection.MeasureFrom - injection.InjectedAt).TotalSeconds:0.0} s; measured from the heal");
    }

    private async Task PollForAsync(DateTimeOffset from, TimeSpan length, CancellationToken cancellationToken)
    {
        while (_time.GetUtcNow() - from < length)
        {
            await _poll(cancellationToken);
            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, cancellationToken);
        }
    }

    private async Task HealFreezeAsync(Injection injection, CancellationToken cancellationToken)
    {
        var unit = injection.Leader;
        var deadline = (2 * _cluster.Timings.Watchdog) + TimeSpan.FromSeconds(2);
        await WaitForAsync(() => unit.WatchdogKills > injection.WatchdogKillsBefore, deadline - (_time.GetUtcNow() - injection.InjectedAt), cancellationToken);
        if (unit.WatchdogKills > injection.WatchdogKillsBefore && unit.LastWatchdogKill is { } killed)
        {
            injection.Notes.Add($"watchdog killed the frozen knd {(killed - injection.InjectedAt).TotalSeconds:0.0} s after SIGSTOP");
            return;
        }

        injection.Failure = "the emulated watchdog never fired: this knd sends no WATCHDOG=1";
        await unit.KillHostAsync(cancellationToken);
        await unit.StartAsync(cancellationToken);
    }

    private async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (!condition() && _time.GetElapsedTime(started) < timeout)
        {
            await _poll(cancellationToken);
            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, cancellationToken);
        }
    }
}
