using System.Globalization;

namespace Knd.Localnet;

/// <summary>
/// <c>knd localnet --trials K --fault KIND</c>: for each fault kind, K times: wait for the steady state,
/// inject the fault on the leader, measure until a neard other than the old leader's signs, heal,
/// and finally summarise (table on stdout, JSON of contract §10 with <c>--json</c>).
/// </summary>
internal sealed partial class ChaosBenchmark
{
    private static readonly TimeSpan TrialPoll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(10);
    private readonly LocalnetOptions _options;
    private readonly TextWriter _output;
    private readonly TimeProvider _time;
    private readonly LiveView _view;
    private LocalCluster _cluster = null!;
    private MissedDuties _missed = null!;
    private FaultInjector _injector = null!;
    private double _sectionRss;

    public ChaosBenchmark(LocalnetOptions options, TextWriter output, TimeProvider time)
    {
        _options = options;
        _output = output;
        _time = time;
        _view = new LiveView(output, ansi: false, time);
    }

    public async Task<int> RunAsync(string neardBin, CancellationToken cancellationToken)
    {
        var names = string.Join(", ", _options.Faults.Select(f => f.Name()));
        _view.Event($"chaos benchmark: {names}; {_options.Trials} trial(s) each on {_options.Nodes} nodes");
        _cluster = await LocalCluster.StartAsync(_options, neardBin, _view.Event, _time, cancellationToken);
        try
        {
            foreach (var line in LiveMode.Describe(_cluster))
            {
                _view.Event(line);
            }

            _missed = new MissedDuties(_cluster.Chain, LocalnetOptions.Account);
            _injector = new FaultInjector(_cluster, PollAsync, _time);
            if (await WaitSteadyAsync(cancellationToken) is null)
            {
                _cluster.KeepDirectory();
                throw new LocalnetException($"the cluster never reached a steady state (one leader signing, every other node Voting) within {SteadyTimeout.TotalSeconds:0} s (last seen: {LastUnsteady}); see the knd.log files in {_cluster.Root}, kept");
            }

            var summaries = new List<FaultSummary>();
            foreach (var fault in _options.Faults)
            {
                summaries.Add(await RunFaultAsync(fault, cancellationToken));
            }

            await MeasureIdleAsync(cancellationToken);
            await ReportAsync(summaries, cancellationToken);
            return summaries.Any(s => s.DoubleSignedHeights > 0 || s.FailedTrials > 0) ? 1 : 0;
        }
        finally
        {
            _view.Event("stopping every knd, then the coordination service ...");
            await _cluster.DisposeAsync();
            _view.Event(_options.Dir is not null || _cluster.KeptDirectory ? $"stopped; kept {_cluster.Root}" : "stopped");
        }
    }

    private TimeSpan SteadyTimeout => TimeSpan.FromSeconds(60) + (4 * _cluster.Timings.Knd.SessionTtl) + (2 * _cluster.Timings.Knd.LockDelay);

    private async Task<ClusterSnapshot> PollAsync(CancellationToken cancellationToken)
    {
        var snapshot = await _cluster.PollAsync(cancellationToken);
        _missed.Update(snapshot, _cluster.Ledger);
        _sectionRss = Math.Max(_sectionRss, snapshot.Nodes.Max(n => n.RssMb ?? 0));
        return snapshot;
    }

    /// <summary>Waits until exactly one node is Validating and holds the lock, every other is Voting, and the leader has signed since the wait began.</summary>
    /// <summary>The nodes as the last wait for the steady state saw them, for the message when it never came.</summary>
    private string LastUnsteady { get; set; } = "no poll yet";

    private async Task<NodeSnapshot?> WaitSteadyAsync(CancellationToken cancellationToken)
    {
        var since = _time.GetUtcNow();
        var started = _time.GetTimestamp();
        while (_time.GetElapsedTime(started) < SteadyTimeout)
        {
            var snapshot = await PollAsync(cancellationToken);
            LastUnsteady = string.Join(", ", snapshot.Nodes.Select(n => $"{n.NodeId} {n.StateText}{(n.IsLeader ? " (leader)" : string.Empty)}"));
            if (_cluster.FailedUnit is { } failed)
            {
                throw new LocalnetException($"{failed.NodeId}: cannot run knd: {failed.FailureReason}");
            }

            // A failsafe leader rides an outage only once its record lists its members: a trial that
            // began before that write would judge a fence the failsafe never promised to avoid.
            if (snapshot.Leaders is [var leader]
                && snapshot.Nodes.All(n => n.Unit.State == UnitState.Running && !n.Unit.Frozen && (n == leader || n.Status?.State == "Voting"))
                && leader.Status?.Peers is not { Failsafe: true, FailsafeMembersPublished: false }
                && _cluster.Ledger.Entries.Any(e => e.Home == leader.Unit.Layout.Home && e.Time >= since))
            {
                return leader;
            }

            await Task.Delay(TrialPoll * 2, _time, cancellationToken);
        }

        return null;
    }

    /// <summary>
    /// knd's CPU and memory in the steady state after the trials (the issue's target: under 1% of a
    /// core and 64 MB each), from utime + stime and VmRSS. Nothing polls knd meanwhile, so the
    /// figure is knd's own work: its ticks, renewals, lock watch and neard polls.
    /// </summary>
    private async Task MeasureIdleAsync(CancellationToken cancellationToken)
    {
        var before = _cluster.Units.Select(u => u.Pid is { } pid ? ProcFs.ReadStat(pid) : null).ToList();
        var started = _time.GetTimestamp();
        await Task.Delay(IdleWindow, _time, cancellationToken);
        var seconds = _time.GetElapsedTime(started).TotalSeconds;
        var snapshot = await PollAsync(cancellationToken);
        var nodes = _cluster.Units.Select((unit, i) =>
        {
            var after = unit.Pid is { } pid ? ProcFs.ReadStat(pid) : null;
            var cpu = after is not null && before[i] is { } start && start.Id == after.Id
                ? string.Create(CultureInfo.InvariantCulture, $"{(after.CpuTicks - start.CpuTicks) / ProcFs.ClockTicksPerSecond / seconds * 100:0.0}% CPU")
                : "CPU -";
            var leader = snapshot.Node(unit.NodeId)?.IsLeader == true ? " (leader)" : string.Empty;
            var memory = unit.Pid is { } p && ProcFs.Memory(p) is { } m
                ? string.Create(CultureInfo.InvariantCulture, $"{m.Rss:0.0} MB RSS (anon {m.Anon:0.0}, file {m.File:0.0}, shmem {m.Shmem:0.0})")
                : "RSS -";
            return $"{unit.NodeId}{leader} {cpu}, {memory}";
        });
        _view.Event($"idle knd over {seconds:0} s after the trials (nothing polling it): " + string.Join("; ", nodes));
    }

    private async Task<FaultSummary> RunFaultAsync(FaultKind fault, CancellationToken cancellationToken)
    {
        var startHeight = _cluster.Chain.HeadAt(_time.GetUtcNow());
        var doubleBefore = _cluster.Ledger.DoubleSignedHeights;
        _sectionRss = 0;
        var trials = new List<TrialResult>();
        for (var i = 1; i <= _options.Trials; i++)
        {
            var trial = await RunTrialAsync(fault, i, cancellationToken);
            trials.Add(trial);
            _view.Event(Describe(trial));
        }

        // Every fault ends in the steady state, so its misses are counted and the next fault starts clean.
        if (await WaitSteadyAsync(cancellationToken) is null)
        {
            trials[^1] = trials[^1] with { Failure = trials[^1].Failure ?? $"no steady state within {SteadyTimeout.TotalSeconds:0} s after the heal" };
        }

        var endHeight = _cluster.Chain.HeadAt(_time.GetUtcNow() - TimeSpan.FromSeconds(1));
        var t = _cluster.Timings;
        return new FaultSummary(
            fault.Name(),
            trials.Count,
            (long)t.Knd.SessionTtl.TotalMilliseconds,
            (long)t.Knd.LockDelay.TotalMilliseconds,
            (long)t.Bound(fault).TotalMilliseconds,
            FailoverPercentiles.Of([.. trials.Where(r => r.Failure is null && r.Failover is not null).Select(r => r.Failover!.Value)]),
            _cluster.Ledger.DoubleSignedHeights - doubleBefore,
            _missed.Between(startHeight, endHeight),
            trials.Count(r => r.Failure is not null),
            Math.Round(_sectionRss, 1))
        {
            InBound = trials.Count(r => r.Failure is null && r.InBound),
            Takeover = FailoverPercentiles.Of([.. trials.Where(r => r.Failure is null && r.Takeover is not null).Select(r => r.Takeover!.Value)]),
        };
    }
}
