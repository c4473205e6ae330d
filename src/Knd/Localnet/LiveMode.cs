using System.Globalization;

namespace Knd.Localnet;

/// <summary>
/// <c>knd localnet</c> without <c>--trials</c>: run the cluster and show it live until Ctrl-C;
/// with <c>--kill-leader-after</c>, kill the leader's host once and bring it back after the failover.
/// </summary>
internal sealed class LiveMode
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private readonly LocalnetOptions _options;
    private readonly LiveView _view;
    private readonly TimeProvider _time;
    private readonly CpuMeter _cpu = new(TimeSpan.FromSeconds(5));
    private DaemonUnit? _killed;
    private bool _killDone;

    public LiveMode(LocalnetOptions options, LiveView view, TimeProvider time)
    {
        _options = options;
        _view = view;
        _time = time;
    }

    public async Task<int> RunAsync(string neardBin, CancellationToken cancellationToken)
    {
        _view.Event($"starting {_options.Nodes} knd daemons, {_options.Nodes} neard-sims and {(_options.OnEtcd ? $"{LocalEtcd.Size} etcd members" : "a dev-consul")} ...");
        var cluster = await LocalCluster.StartAsync(_options, neardBin, _view.Event, _time, cancellationToken);
        try
        {
            foreach (var line in Describe(cluster))
            {
                _view.Event(line);
            }

            return await LoopAsync(cluster, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        finally
        {
            _view.Event("stopping: SIGTERM to every knd (each stops its neard and gives up its lock), then the coordination service ...");
            await cluster.DisposeAsync();
            _view.Event(_options.Dir is not null ? $"stopped; kept {cluster.Root}" : $"stopped; removed {cluster.Root}");
            _view.Finish();
        }
    }

    public static IEnumerable<string> Describe(LocalCluster cluster)
    {
        var o = cluster.Options;
        var t = cluster.Timings;
        yield return $"account {LocalnetOptions.Account} · {cluster.Dcs.Describe} · dir {cluster.Root}";
        yield return string.Create(
            CultureInfo.InvariantCulture,
            $"TTL {o.SessionTtl.TotalSeconds:0.###} s · lock-delay {o.LockDelay.TotalSeconds:0.###} s · watchdog {t.Watchdog.TotalSeconds:0.###} s · promotion {o.Promotion} · blocks {LocalnetOptions.BlockInterval.TotalMilliseconds:0} ms, duty {LocalnetOptions.DutyPercent}% ({o.Producer}) · ledger {cluster.Ledger.Path}");
        yield return string.Create(
            CultureInfo.InvariantCulture,
            $"peer channel: {o.Modes} · fence bound {t.Knd.FenceBound.TotalSeconds:0.###} s{(o.FastFailover ? $" · lock-delay fast failover needs: fence bound + {t.Knd.FastFailoverMargin.TotalSeconds:0.###} s = {(t.Knd.FenceBound + t.Knd.FastFailoverMargin).TotalSeconds:0.###} s (have {t.Knd.LockDelay.TotalSeconds:0.###} s) · leader silence {t.Peers.LeaderSilence.TotalSeconds:0.###} s" : string.Empty)}{(o.IsBenchmark && o.Faults.Any(f => f is FaultKind.ConsulDown or FaultKind.ConsulLeaderDown or FaultKind.ConsulDownKillLeader) ? $" · {cluster.Dcs.Kind} outage {o.ConsulOutage.TotalSeconds:0.###} s" : string.Empty)}");
    }

    private async Task<int> LoopAsync(LocalCluster cluster, CancellationToken cancellationToken)
    {
        var missed = new MissedDuties(cluster.Chain, LocalnetOptions.Account);
        var watch = new FailoverWatch(cluster);
        while (true)
        {
            var snapshot = await cluster.PollAsync(cancellationToken);
            missed.Update(snapshot, cluster.Ledger);
            _cpu.Add(snapshot);
            foreach (var line in watch.Update(snapshot))
            {
                _view.Event(line);
                if (line.StartsWith("failover:", StringComparison.Ordinal) && _killed is { } host)
                {
                    _killed = null;
                    await host.StartAsync(cancellationToken);
                    _view.Event($"{host.NodeId}: host back up: knd starts again and rejoins as a passive");
                }
            }

            if (cluster.FailedUnit is { } failed)
            {
                _view.Event($"{failed.NodeId}: cannot run knd: {failed.FailureReason}");
                return 1;
            }

            // After a kill the snapshot is stale: the next poll draws the host as down.
            if (!await KillLeaderWhenDueAsync(snapshot, watch, cancellationToken))
            {
                _view.Draw(Table(cluster, snapshot, missed), Shape(snapshot));
            }

            await Task.Delay(PollInterval, _time, cancellationToken);
        }
    }

    private async Task<bool> KillLeaderWhenDueAsync(ClusterSnapshot snapshot, FailoverWatch watch, CancellationToken cancellationToken)
    {
        if (_killDone || _options.KillLeaderAfter is not { } after || _view.Elapsed < after || snapshot.Leaders is not [var leader])
        {
            return false;
        }

        _killDone = true;
        _killed = leader.Unit;
        var pids = leader.Unit.Tree.Select(p => p.Pid).Concat(leader.Status?.NeardPid is { } n ? [n] : []).ToList();
        _view.Event($"--kill-leader-after: killing the leader's host, {leader.NodeId}");
        watch.NoteFault(_time.GetUtcNow(), pids);
        await leader.Unit.KillHostAsync(cancellationToken);
        return true;
    }

    private List<string> Table(LocalCluster cluster, ClusterSnapshot snapshot, MissedDuties missed)
    {
        var rows = snapshot.Nodes.Select(n => (IReadOnlyList<string>)
        [
            n.NodeId,
            n.StateText,
            n.IsLeader ? "*" : string.Empty,
            n.Status?.BlockHeight?.ToString(CultureInfo.InvariantCulture) ?? "-",
            cluster.Ledger.SignedBy(n.Unit.Layout.Home).ToString(CultureInfo.InvariantCulture),
            missed.Of(n.NodeId).ToString(CultureInfo.InvariantCulture),
            n.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-",
            n.RssMb is { } rss ? rss.ToString("0.0", CultureInfo.InvariantCulture) : "-",
            _cpu.Percent(n.NodeId) is { } cpu ? cpu.ToString("0.0", CultureInfo.InvariantCulture) : "-",
            Math.Max(0, n.Unit.Starts - 1).ToString(CultureInfo.InvariantCulture),
        ]).ToList();
        var lines = TextTable.Format(["node", "state", "leader", "height", "signed", "missed", "knd pid", "RSS MB", "CPU %", "restarts"], rows).ToList();
        lines.Add(string.Create(
            CultureInfo.InvariantCulture,
            $"head {cluster.Chain.HeadAt(snapshot.Time)} · {cluster.Ledger.Entries.Count} signed · missed {missed.Total} ({missed.WithoutLeader} with no leader) · double-signed {cluster.Ledger.DoubleSignedHeights} · Ctrl-C stops everything"));
        return lines;
    }

    private static string Shape(ClusterSnapshot snapshot) =>
        string.Join(' ', snapshot.Nodes.Select(n => $"{n.NodeId}={n.StateText}{(n.IsLeader ? "*" : string.Empty)}"));
}
