namespace Knd.Failover;

/// <summary>
/// An immutable view of the supervisor after an event: what /status, metrics and the CLI show.
/// <paramref name="PromotionBackoff"/> and <paramref name="StateLossHoldOff"/> are the time left before
/// this node may contend for the lock again after failed promotions, or after it saw the lock
/// service lose its state (null when none).
/// </summary>
internal sealed record SupervisorSnapshot(
    SupervisorState State,
    bool IsLeader,
    string? LeaderNodeId,
    int? NeardPid,
    long? BlockHeight,
    bool? Syncing,
    bool NeardHealthy,
    string? SessionId,
    TimeSpan? LastRenewAge,
    ulong? FencingIndex,
    bool Paused,
    string? LastError,
    TimeSpan TakenAt,
    MaintenanceKind? Maintenance = null,
    long? MaintenanceHeight = null,
    int NeardGeneration = 0,
    TimeSpan? PromotionBackoff = null,
    TimeSpan? StateLossHoldOff = null);

/// <summary>One state change, for the log and the metrics.</summary>
internal sealed record StateTransition(SupervisorState From, SupervisorState To, string Reason);
