using Knd.Neard;
using Knd.Production;

namespace Knd.Supervision;

/// <summary>
/// The latest snapshot of the supervisor and when its loop last ticked, shared with the HTTP
/// endpoints, the metrics and the control socket. Written by the loop only; read anywhere.
/// </summary>
internal sealed class SupervisorStatus
{
    private readonly TaskCompletionSource _firstTick = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SupervisorSnapshot? _snapshot;
    private NeardTracking? _tracking;
    private long _lastTickTimestamp;

    public SupervisorStatus(MonotonicClock clock, string nodeId, string accountId)
    {
        Clock = clock;
        NodeId = nodeId;
        AccountId = accountId;
        _lastTickTimestamp = clock.TimeProvider.GetTimestamp();
    }

    public MonotonicClock Clock { get; }

    public string NodeId { get; }

    public string AccountId { get; }

    public SupervisorSnapshot? Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>The shard tracking of neard's config.json as knd last prepared the home, or null before that (for /status).</summary>
    public NeardTracking? Tracking
    {
        get => Volatile.Read(ref _tracking);
        set => Volatile.Write(ref _tracking, value);
    }

    public SupervisorCounters? Counters { get; set; }

    /// <summary>What the chain watch saw of the validator's production (metrics, status).</summary>
    public ProductionBook Production { get; } = new();
    /// <summary>The peer-channel modes this knd runs with (<c>--fast-failover</c>, <c>--failsafe</c>), for /status.</summary>
    public PeerRules PeerRules { get; init; } = new();

    /// <summary>How long ago the supervision loop last processed a tick.</summary>
    public TimeSpan SinceLastTick => Clock.TimeProvider.GetElapsedTime(Interlocked.Read(ref _lastTickTimestamp));

    public void Publish(SupervisorSnapshot snapshot) => Volatile.Write(ref _snapshot, snapshot);

    /// <summary>Whether the loop has finished its first tick (start-up work such as the reaper and the neard home is done).</summary>
    public bool HasTicked => _firstTick.Task.IsCompleted;

    /// <summary>Completes when the loop finishes its first tick: knd is ready (<c>READY=1</c>) only then.</summary>
    public Task FirstTick => _firstTick.Task;

    public void MarkTick()
    {
        Interlocked.Exchange(ref _lastTickTimestamp, Clock.TimeProvider.GetTimestamp());
        _firstTick.TrySetResult();
    }
}
