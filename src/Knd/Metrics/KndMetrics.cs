using System.Reflection;
using Knd.Production;
using Knd.Peers;
using Knd.Supervision;
using Prometheus;

namespace Knd.Metrics;

/// <summary>
/// knd's metrics (contract §7, docs/metrics.md) on prometheus-net, in a registry of their own (no
/// default collectors). Values that live in the supervisor (the state, its counters, the renewal age)
/// are set from one snapshot just before each collection, under one lock, so a scrape is always
/// consistent with itself: <c>knd_state</c> never shows two states at 1.
/// </summary>
internal sealed partial class KndMetrics : IDisposable
{
    /// <summary>Prometheus' text format 0.0.4, the one contract §6 names.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly SupervisorState[] States = Enum.GetValues<SupervisorState>();
    private static readonly DemotionReason[] Reasons = Enum.GetValues<DemotionReason>();

    private readonly SupervisorStatus _status;
    private readonly ILogger _logger;
    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly SemaphoreSlim _scrapeGate = new(1, 1);
    private readonly Families _families;

    public KndMetrics(SupervisorStatus status, string version, ILogger logger)
    {
        _status = status;
        _logger = logger;
        Version = version;
        _families = new Families(Prometheus.Metrics.WithCustomRegistry(_registry), version);
        _registry.AddBeforeCollectCallback(Refresh);
    }

    /// <summary>knd's version as built (the assembly's informational version).</summary>
    public static string BuildVersion =>
        typeof(KndMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>The version in <c>knd_build_info</c>.</summary>
    public string Version { get; }

    /// <summary>Whether a service manager's watchdog (WATCHDOG_USEC) watches this knd; fixed for the process's life.</summary>
    public bool WatchdogEnabled { get; init; }

    /// <summary>
    /// Counts one Consul HTTP request; the signature of <c>ConsulClientOptions.RequestObserver</c>.
    /// Both names come from <c>ConsulOperations</c>, a closed set, so the series stay bounded.
    /// </summary>
    public void ObserveConsulRequest(string op, string outcome) => _families.ConsulRequests.WithLabels(op, outcome).Inc();

    /// <summary>Counts one peer call this node made: route <c>heartbeat</c> or <c>promise</c>, outcome <c>ok</c> or why not (a closed set).</summary>
    public void ObservePeerRequest(string route, string outcome) => _families.PeerRequests.WithLabels(route, outcome).Inc();

    /// <summary>Counts one peer request this node refused (401, or 503 when its nonce cache is full).</summary>
    public void ObservePeerRejection(PeerRejection reason) => _families.PeerRejected.WithLabels(SnakeCase.From(reason.ToString())).Inc();

    /// <summary>Counts one run of an operator hook (<c>on_role_change</c>, <c>pre_promote</c>) by outcome, and its duration (not for a dropped one).</summary>
    public void ObserveHook(string hook, string outcome, TimeSpan duration)
    {
        _families.HookRuns.WithLabels(hook, outcome).Inc();
        if (outcome != "dropped")
        {
            _families.HookDuration.WithLabels(hook).Observe(duration.TotalSeconds);
        }
    }

    /// <summary>Counts one failed neard RPC (a <c>/status</c> poll that failed or timed out).</summary>
    public void ObserveNeardRpcError() => _families.NeardRpcErrors.Inc();

    /// <summary>The Prometheus text exposition of every knd metric, as of now.</summary>
    public async Task<string> ScrapeAsync(CancellationToken cancellationToken)
    {
        await _scrapeGate.WaitAsync(cancellationToken);
        try
        {
            using var text = new MemoryStream();
            await _registry.CollectAndExportAsTextAsync(text, ExpositionFormat.PrometheusText, cancellationToken);
            return System.Text.Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
        }
        finally
        {
            _scrapeGate.Release();
        }
    }

    /// <summary>A scrape for tests and tools that are not async.</summary>
    public string Scrape() => ScrapeAsync(CancellationToken.None).GetAwaiter().GetResult();

    public void Dispose() => _scrapeGate.Dispose();

    /// <summary>Sets every supervisor-derived series from one snapshot; runs inside a scrape.</summary>
    private void Refresh()
    {
        try
        {
            Set(_status.Snapshot, _status.Counters);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or OverflowException)
        {
            // One broken value must not take the endpoint down: the other families are still exported.
            _logger.ObservationFailed(e);
        }
    }

    private void Set(SupervisorSnapshot? snapshot, SupervisorCounters? counters)
    {
        var f = _families;
        var now = _status.Clock.Now;
        var current = snapshot?.State ?? SupervisorState.Startup;
        foreach (var state in States)
        {
            f.State.WithLabels(state.ToString()).Set(state == current ? 1 : 0);
        }

        f.IsLeader.Set(snapshot?.IsLeader == true ? 1 : 0);
        f.FailsafeCovered.Set(snapshot?.Peers?.FailsafeCovers == true ? 1 : 0);
        f.Paused.Set(snapshot?.Paused == true ? 1 : 0);
        f.NeardRestarts.IncTo(counters?.NeardRestarts ?? 0);
        f.Promotions.IncTo(counters?.Promotions ?? 0);
        f.PromotionFailures.IncTo(counters?.PromotionFailures ?? 0);
        f.SelfFences.IncTo(counters?.SelfFences ?? 0);
        foreach (var reason in Reasons)
        {
            f.Demotions.WithLabels(SnakeCase.From(reason.ToString())).IncTo(counters?.Demotions(reason) ?? 0);
        }

        // Aged to now, not to when the snapshot was taken, so a stalled loop shows.
        var sinceSnapshot = snapshot is null ? TimeSpan.Zero : now - snapshot.TakenAt;
        SetOrHide(f.RenewAge, snapshot?.LastRenewAge is { } age ? (age + sinceSnapshot).TotalSeconds : null);
        SetOrHide(f.BlockHeight, snapshot?.BlockHeight);
        SetOrHide(f.Syncing, snapshot?.Syncing is { } syncing ? (syncing ? 1 : 0) : null);
        SetOrHide(f.FencingIndex, snapshot?.FencingIndex);
        f.PromotionBackoff.Set(Remaining(snapshot?.PromotionBackoff, sinceSnapshot));
        f.LockHoldOff.Set(Remaining(snapshot?.StateLossHoldOff, sinceSnapshot));
        f.Uptime.Set(now.TotalSeconds);
        f.WatchdogEnabled.Set(WatchdogEnabled ? 1 : 0);
        f.LastTickAge.Set(_status.SinceLastTick.TotalSeconds);
        SetProduction(snapshot?.Production, counters, _status.Production, sinceSnapshot);
    }

    /// <summary>The production watch's families: the machine's KIRA counters and judgements, and the chain watch's epoch counters.</summary>
    private void SetProduction(ProductionView? view, SupervisorCounters? counters, ProductionBook book, TimeSpan sinceSnapshot)
    {
        var f = _families;
        var stats = book.Latest;
        f.DoppelgangerBlocks.IncTo(counters?.StrangerBlocks ?? 0);
        var hold = Remaining(view?.DoppelgangerHold, sinceSnapshot);
        f.DoppelgangerDetected.Set(hold > 0 ? 1 : 0);
        f.DoppelgangerHold.Set(hold);
        SetOrHide(f.DoppelgangerHeight, view?.StrangerHeight);
        SetOrHide(f.Mischance, view?.Mischance);
        SetOrHide(f.MischanceConfidence, view?.Confidence);
        SetOrHide(f.Rank, view?.Rank);
        SetOrHide(f.Streak, view?.Streak);
        SetOrHide(f.ScannedHeight, view?.ScannedHeight ?? stats.ScannedHeight);
        f.NotProducing.Set(view?.NotProducing == true ? 1 : 0);
        f.StepDownBlocked.Set(book.StepDownBlocked ? 1 : 0);
        SetOrHide(f.LastProducedHeight, stats.LastProducedHeight);
        SetOrHide(f.LastMissedHeight, stats.LastMissedHeight);
        foreach (var (kind, count) in new[] { ("block", stats.Blocks), ("chunk", stats.Chunks), ("endorsement", stats.Endorsements) })
        {
            SetOrHide(f.Expected.WithLabels(kind), count?.Expected);
            SetOrHide(f.Produced.WithLabels(kind), count?.Produced);
            SetOrHide(f.Missed.WithLabels(kind), count?.Missed);
        }
    }

    /// <summary>A series is absent while its value is unknown: knd never exports NaN for "unknown".</summary>
    private static void SetOrHide(Gauge.Child gauge, double? value)
    {
        if (value is { } known)
        {
            gauge.Set(known);
        }
        else
        {
            gauge.Remove();
        }
    }

    private static void SetOrHide(Gauge gauge, double? value)
    {
        if (value is { } known)
        {
            gauge.Set(known);
        }
        else
        {
            gauge.Unpublish();
        }
    }

    private static double Remaining(TimeSpan? left, TimeSpan sinceSnapshot) =>
        left is { } value && value > sinceSnapshot ? (value - sinceSnapshot).TotalSeconds : 0;

    /// <summary>
    /// Every family, created in name order (prometheus-net writes them in creation order, and
    /// docs/metrics.md promises them sorted). Each has <c># HELP</c> and <c># TYPE</c> even with no series.
    /// </summary>
    private sealed class Families
    {
        public Families(IMetricFactory factory, string version)
        {
            var absentUntilSet = new GaugeConfiguration { SuppressInitialValue = true };
            var buildInfo = factory.CreateGauge("knd_build_info", "Always 1; the version label is knd's version.", ["version"]);
            ConsulRequests = factory.CreateCounter("knd_consul_requests_total", "Consul HTTP requests by operation and outcome (ok or the error kind).", new CounterConfiguration { LabelNames = ["op", "outcome"] });
            Demotions = factory.CreateCounter("knd_demotions_total", "Times this node left Validating, by reason.", ["reason"]);
            DoppelgangerBlocks = factory.CreateCounter("knd_doppelganger_blocks_total", "Blocks signed with the validator key that this node judged signed outside the cluster (the lock free past the fence bound, or on the leader credited by the chain beyond its neard's own count).");
            DoppelgangerDetected = factory.CreateGauge("knd_doppelganger_detected", "1 while a block signed with the validator key outside the cluster was seen within the doppelganger window (no node promotes), else 0.");
            DoppelgangerHeight = factory.CreateGauge("knd_doppelganger_height", "Height of the last block judged signed outside the cluster; absent until one is seen.", absentUntilSet);
            DoppelgangerHold = factory.CreateGauge("knd_doppelganger_hold_seconds", "Seconds before this node may promote again after a block signed outside the cluster; 0 when none holds it.");
            FailsafeCovered = factory.CreateGauge("knd_failsafe_covered", "1 while this leader holds a fresh failsafe promise from every member (it may sign without Consul), else 0.");
            HookDuration = factory.CreateHistogram("knd_hook_duration_seconds", "How long operator hook runs took, by hook (on_role_change, pre_promote); a killed one counts its time to the kill.", new HistogramConfiguration { LabelNames = ["hook"], Buckets = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120] });
            HookRuns = factory.CreateCounter("knd_hook_runs_total", "Operator hook runs by hook (on_role_change, pre_promote) and outcome (ok, failed, timeout, start_failed, dropped).", new CounterConfiguration { LabelNames = ["hook", "outcome"] });
            IsLeader = factory.CreateGauge("knd_is_leader", "1 while this node holds the lock and runs the validating neard, else 0.");
            LastTickAge = factory.CreateGauge("knd_last_tick_age_seconds", "Seconds since the supervision loop last processed a tick.");
            FencingIndex = factory.CreateGauge("knd_leader_fencing_index", "Consul ModifyIndex of this leader's confirmed lock acquisition; absent unless leader.", absentUntilSet);
            LockHoldOff = factory.CreateGauge("knd_lock_holdoff_seconds", "Seconds before this node may take the lock after it saw the lock service lose its state (the key missing, an index gone backwards); 0 when it may.");
            BlockHeight = factory.CreateGauge("knd_neard_block_height", "Latest block height neard reported; absent until it answers.", absentUntilSet);
            NeardRestarts = factory.CreateCounter("knd_neard_restarts_total", "neard processes started again after one exited or was stopped.");
            NeardRpcErrors = factory.CreateCounter("knd_neard_rpc_errors_total", "neard RPC requests that failed or timed out.");
            Syncing = factory.CreateGauge("knd_neard_syncing", "1 while neard reports it is syncing, 0 when synced; absent until it answers.", absentUntilSet);
            Paused = factory.CreateGauge("knd_paused", "1 while automatic failover is paused cluster-wide (knd pause), else 0.");
            PeerRejected = factory.CreateCounter("knd_peer_rejected_total", "Peer-channel requests this node refused, by reason (malformed, wrong_node, bad_signature, stale, replayed, busy).", ["reason"]);
            PeerRequests = factory.CreateCounter("knd_peer_requests_total", "Peer-channel calls this node made, by route (heartbeat, promise) and outcome (ok or why not).", new CounterConfiguration { LabelNames = ["route", "outcome"] });
            Expected = factory.CreateGauge("knd_production_expected", "Duties of the validator account expected so far in the current epoch, by kind (block, chunk, endorsement), as neard reports them; absent until known.", new GaugeConfiguration { LabelNames = ["kind"], SuppressInitialValue = true });
            LastMissedHeight = factory.CreateGauge("knd_production_last_missed_height", "Chain head at the last look of the chain watch that found a missed duty of the validator account; absent until one is seen.", absentUntilSet);
            LastProducedHeight = factory.CreateGauge("knd_production_last_produced_height", "Last height whose block the validator account authored, as the chain watch saw it; absent until one is seen.", absentUntilSet);
            Mischance = factory.CreateGauge("knd_production_mischance", "Missed duties of the validator account in a row past --mischance-confidence (KIRA's mischance); absent until the chain watch looked.", absentUntilSet);
            MischanceConfidence = factory.CreateGauge("knd_production_mischance_confidence", "Missed duties in a row still inside the tolerance (0 to --mischance-confidence); absent until the chain watch looked.", absentUntilSet);
            Missed = factory.CreateGauge("knd_production_missed", "Duties of the validator account missed so far in the current epoch, by kind; absent until known.", new GaugeConfiguration { LabelNames = ["kind"], SuppressInitialValue = true });
            NotProducing = factory.CreateGauge("knd_production_not_producing", "1 while this node leads and its own misses since its promotion passed --max-mischance (it hands over to a ready passive), else 0.");
            Produced = factory.CreateGauge("knd_production_produced", "Duties of the validator account produced so far in the current epoch, by kind; absent until known.", new GaugeConfiguration { LabelNames = ["kind"], SuppressInitialValue = true });
            Rank = factory.CreateGauge("knd_production_rank", "KIRA's rank of the validator account: its best streak of produced duties, lowered for misses past the tolerance; absent until the chain watch looked.", absentUntilSet);
            ScannedHeight = factory.CreateGauge("knd_production_scanned_height", "Highest height the chain watch has looked at; absent until it looked.", absentUntilSet);
            StepDownBlocked = factory.CreateGauge("knd_production_step_down_blocked", "1 while this leader is judged not producing but no passive is ready to take over (it stays the leader), else 0.");
            Streak = factory.CreateGauge("knd_production_streak", "Duties the validator account produced in a row; absent until the chain watch looked.", absentUntilSet);
            PromotionBackoff = factory.CreateGauge("knd_promotion_backoff_seconds", "Seconds before this node contends for the lock again after failed promotions; 0 when it may.");
            PromotionFailures = factory.CreateCounter("knd_promotion_failures_total", "Promotions that ended before neard reported the validator key; each starts or doubles the promotion back-off.");
            Promotions = factory.CreateCounter("knd_promotions_total", "Times this node became the active validator.");
            SelfFences = factory.CreateCounter("knd_self_fence_total", "Times the leader stopped neard because it could not prove it still held the lock.");
            RenewAge = factory.CreateGauge("knd_session_renew_age_seconds", "Seconds since the last successful Consul session renewal was sent; absent without a session.", absentUntilSet);
            State = factory.CreateGauge("knd_state", "Supervisor state, one-hot: 1 for the current state, 0 for the others.", ["state"]);
            Uptime = factory.CreateGauge("knd_uptime_seconds", "Seconds since knd started (monotonic clock).");
            WatchdogEnabled = factory.CreateGauge("knd_watchdog_enabled", "1 when a service manager's watchdog (WATCHDOG_USEC) watches this knd, else 0: without one a frozen leader's neard can keep signing after a passive took over.");
            buildInfo.WithLabels(version).Set(1);
        }

        public Counter ConsulRequests { get; }

        public Counter Demotions { get; }

        public Counter DoppelgangerBlocks { get; }

        public Histogram HookDuration { get; }

        public Counter HookRuns { get; }

        public Gauge DoppelgangerDetected { get; }

        public Gauge DoppelgangerHeight { get; }

        public Gauge DoppelgangerHold { get; }

        public Gauge Expected { get; }

        public Gauge LastMissedHeight { get; }

        public Gauge LastProducedHeight { get; }

        public Gauge Mischance { get; }

        public Gauge MischanceConfidence { get; }

        public Gauge Missed { get; }

        public Gauge NotProducing { get; }

        public Gauge Produced { get; }

        public Gauge Rank { get; }

        public Gauge ScannedHeight { get; }

        public Gauge StepDownBlocked { get; }

        public Gauge Streak { get; }
        public Gauge FailsafeCovered { get; }

        public Gauge IsLeader { get; }

        public Gauge LastTickAge { get; }

        public Gauge FencingIndex { get; }

        public Gauge LockHoldOff { get; }

        public Gauge BlockHeight { get; }

        public Counter NeardRestarts { get; }

        public Counter NeardRpcErrors { get; }

        public Gauge Syncing { get; }

        public Gauge Paused { get; }

        public Counter PeerRejected { get; }

        public Counter PeerRequests { get; }

        public Gauge PromotionBackoff { get; }

        public Counter PromotionFailures { get; }

        public Counter Promotions { get; }

        public Counter SelfFences { get; }

        public Gauge RenewAge { get; }

        public Gauge State { get; }

        public Gauge Uptime { get; }

        public Gauge WatchdogEnabled { get; }
    }
}
