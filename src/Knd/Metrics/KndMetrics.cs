using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Reflection;
using System.Runtime.CompilerServices;
using Knd.Supervision;

namespace Knd.Metrics;

/// <summary>
/// knd's metrics (contract §7, docs/metrics.md) as <see cref="System.Diagnostics.Metrics"/>
/// instruments of the meter <c>knd</c> (so <c>dotnet-counters monitor -n knd --counters knd</c>
/// works), exported at <c>/metrics</c> by <see cref="PrometheusExporter"/>.
/// Every instrument is observable: values are read from <see cref="SupervisorStatus"/> (the
/// snapshot and the machine's counters) or from the counts below when a scraper asks.
/// </summary>
internal sealed partial class KndMetrics : IDisposable
{
    public const string MeterName = "knd";

    private readonly SupervisorStatus _status;
    private readonly string _version;
    private readonly Meter _meter;
    private readonly PrometheusExporter _exporter;
    private readonly ConcurrentDictionary<(string Op, string Outcome), StrongBox<long>> _consulRequests = new();
    private long _neardRpcErrors;

    public KndMetrics(SupervisorStatus status, string version, ILogger logger)
    {
        _status = status;
        _version = version;
        _meter = new Meter(MeterName, version);
        CreateInstruments();
        _exporter = new PrometheusExporter(_meter, logger);
    }

    /// <summary>knd's version as built (the assembly's informational version).</summary>
    public static string BuildVersion =>
        typeof(KndMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Whether a service manager's watchdog (WATCHDOG_USEC) watches this knd; fixed for the process's life.</summary>
    public bool WatchdogEnabled { get; init; }

    /// <summary>The meter, for tests and in-process listeners.</summary>
    public Meter Meter => _meter;

    /// <summary>
    /// Counts one Consul HTTP request; the signature of <c>ConsulClientOptions.RequestObserver</c>.
    /// Both names come from <c>ConsulOperations</c>, a closed set, so the series stay bounded.
    /// </summary>
    public void ObserveConsulRequest(string op, string outcome)
    {
        var count = _consulRequests.GetOrAdd((op, outcome), static _ => new StrongBox<long>());
        Interlocked.Increment(ref count.Value);
    }

    /// <summary>Counts one failed neard RPC (a <c>/status</c> poll that failed or timed out).</summary>
    public void ObserveNeardRpcError() => Interlocked.Increment(ref _neardRpcErrors);

    /// <summary>The Prometheus text exposition of every knd metric, as of now.</summary>
    public string Scrape() => _exporter.Scrape();

    public void Dispose()
    {
        _exporter.Dispose();
        _meter.Dispose();
    }

    private void CreateInstruments()
    {
        _meter.CreateObservableGauge("knd_state", ObserveState, description: "Supervisor state, one-hot: 1 for the current state, 0 for the others.");
        _meter.CreateObservableGauge("knd_is_leader", () => Flag(_status.Snapshot?.IsLeader == true), description: "1 while this node holds the lock and runs the validating neard, else 0.");
        _meter.CreateObservableGauge("knd_paused", () => Flag(_status.Snapshot?.Paused == true), description: "1 while automatic failover is paused cluster-wide (knd pause), else 0.");
        _meter.CreateObservableCounter("knd_neard_restarts_total", () => _status.Counters?.NeardRestarts ?? 0, description: "neard processes started again after one exited or was stopped.");
        _meter.CreateObservableCounter("knd_promotions_total", () => _status.Counters?.Promotions ?? 0, description: "Times this node became the active validator.");
        _meter.CreateObservableCounter("knd_demotions_total", ObserveDemotions, description: "Times this node left Validating, by reason.");
        _meter.CreateObservableCounter("knd_self_fence_total", () => _status.Counters?.SelfFences ?? 0, description: "Times the leader stopped neard because it could not prove it still held the lock.");
        _meter.CreateObservableCounter("knd_consul_requests_total", ObserveConsulRequests, description: "Consul HTTP requests by operation and outcome (ok or the error kind).");
        _meter.CreateObservableCounter("knd_neard_rpc_errors_total", () => Interlocked.Read(ref _neardRpcErrors), description: "neard RPC requests that failed or timed out.");
        _meter.CreateObservableGauge("knd_session_renew_age_seconds", ObserveRenewAge, unit: "s", description: "Seconds since the last successful Consul session renewal was sent; absent without a session.");
        _meter.CreateObservableGauge("knd_neard_block_height", ObserveBlockHeight, description: "Latest block height neard reported; absent until it answers.");
        _meter.CreateObservableGauge("knd_neard_syncing", ObserveSyncing, description: "1 while neard reports it is syncing, 0 when synced; absent until it answers.");
        _meter.CreateObservableGauge("knd_leader_fencing_index", ObserveFencingIndex, description: "Consul ModifyIndex of this leader's confirmed lock acquisition; absent unless leader.");
        _meter.CreateObservableGauge("knd_uptime_seconds", () => _status.Clock.Now.TotalSeconds, unit: "s", description: "Seconds since knd started (monotonic clock).");
        _meter.CreateObservableGauge("knd_last_tick_age_seconds", () => _status.SinceLastTick.TotalSeconds, unit: "s", description: "Seconds since the supervision loop last processed a tick.");
        _meter.CreateObservableGauge("knd_build_info", ObserveBuildInfo, description: "Always 1; the version label is knd's version.");
        _meter.CreateObservableGauge("knd_watchdog_enabled", () => Flag(WatchdogEnabled), description: "1 when a service manager's watchdog (WATCHDOG_USEC) kills knd and its neard if knd freezes, else 0.");
    }
}
