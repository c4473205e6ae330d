namespace Knd.Failover;

/// <summary>
/// An immutable view of the supervisor after an event: what /status, metrics and the CLI show.
/// <paramref name="PromotionBackoff"/> and <paramref name="StateLossHoldOff"/> are the time left before
/// this node may contend for the lock again after failed promotions, or after it saw the lock
/// service lose its state (null when none). <paramref name="MaintenanceAnswer"/> is the machine's
/// answer to the last maintenance the coordinator scheduled.
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
    TimeSpan? StateLossHoldOff = null,
    ProductionView? Production = null,
    PeerView? Peers = null,
    MaintenanceAnswer? MaintenanceAnswer = null);

/// <summary>
/// Whether the machine took the maintenance of <see cref="MaintenanceScheduledEvent.Request"/>
/// <paramref name="Request"/>: it refuses one scheduled for a neard or a leadership that changed
/// meanwhile (<paramref name="Why"/>), and the coordinator must not report that as scheduled.
/// </summary>
internal sealed record MaintenanceAnswer(long Request, bool Accepted, string? Why);

/// <summary>
/// The peer channel's state on this node: as a leader, whether every member's promise covers it now
/// (the failsafe) and whether it is taking a lost lock back; as a member, how long its own promise
/// still binds it. <paramref name="Roster"/> is the failsafe member list its member record should
/// publish (null outside a failsafe tenure), <paramref name="RosterPublished"/> whether the record
/// shows it, and <paramref name="RosterRefusal"/> why this node does not take a free lock whose last
/// holder's list leaves it out (null when it may).
/// </summary>
internal sealed record PeerView(bool FailsafeCovers, int Promises, bool Reanchoring, TimeSpan? PromisedFor, IReadOnlyList<string>? Roster = null, bool RosterPublished = false, string? RosterRefusal = null);

/// <summary>
/// What the production watch knows about the validator account (whoever signs for it): the KIRA
/// counters of <see cref="ProductionTally"/>, whether the leader is judged silent, the last block
/// signed with the key while no node of the cluster could have, and how far the chain was scanned.
/// <paramref name="DoppelgangerHold"/> is the time left before nodes may promote again after such a
/// block (null when none holds them).
/// </summary>
internal sealed record ProductionView(
    int Confidence,
    int Mischance,
    long Streak,
    long Rank,
    long Produced,
    long Missed,
    bool NotProducing,
    long? StrangerHeight,
    TimeSpan? StrangerAge,
    long? ScannedHeight,
    TimeSpan? DoppelgangerHold = null,
    ForeignView? Foreign = null);

/// <summary>
/// The leader's cross-check when it found another signer: the chain credited the account with
/// <paramref name="Credited"/> blocks at heights <paramref name="FromHeight"/> to <paramref name="ToHeight"/>
/// since it began, and this node's neard produced <paramref name="Produced"/>.
/// </summary>
internal sealed record ForeignView(long FromHeight, long ToHeight, int Credited, long Produced, string Kind = "blocks");

/// <summary>One state change, for the log and the metrics.</summary>
internal sealed record StateTransition(SupervisorState From, SupervisorState To, string Reason);
