
namespace Knd.Failover;

/// <summary>Something that happened; the shell feeds these to <see cref="FailoverMachine"/> one at a time.</summary>
internal abstract record SupervisorEvent;

/// <summary>The periodic timer: every deadline is checked on a tick.</summary>
internal sealed record TickEvent : SupervisorEvent
{
    public static TickEvent Instance { get; } = new();
}

/// <summary>knd was asked to stop (SIGTERM, SIGINT, host shutdown).</summary>
internal sealed record StopRequestedEvent : SupervisorEvent;

internal sealed record NeardStartedEvent(int Generation, int Pid) : SupervisorEvent;

internal sealed record NeardStartFailedEvent(int Generation, string Error) : SupervisorEvent;

/// <summary>The neard process of <paramref name="Generation"/> exited (by itself or because it was stopped).</summary>
internal sealed record NeardExitedEvent(int Generation, int Pid, int ExitCode) : SupervisorEvent;

/// <summary>The outcome of a <see cref="StopNeardAction"/>. <paramref name="Confirmed"/> is false when SIGKILL was not confirmed.</summary>
internal sealed record NeardStoppedEvent(int Generation, bool Confirmed, string Outcome) : SupervisorEvent;

/// <summary>The hot-swap key was written and neard was sent SIGHUP (or that failed).</summary>
internal sealed record KeyInstalledEvent(int Generation, string? Error) : SupervisorEvent;

/// <summary>One /status poll of the neard of <paramref name="Generation"/>.</summary>
internal sealed record StatusPolledEvent(int Generation, NeardHealthSample Sample) : SupervisorEvent;

/// <summary>What one /status poll said; <see cref="Error"/> is set when it failed (timeout, refused, 503, malformed).</summary>
internal sealed record NeardHealthSample(long? HeadHeight, bool? Syncing, string? ValidatorAccountId, string? Error)
{
    public bool Ok => Error is null;

    public static NeardHealthSample Failed(string error) => new(null, null, null, error);
}

/// <summary>A session was created; <paramref name="SentAt"/> is when the create request left (monotonic).</summary>
internal sealed record SessionCreatedEvent(string SessionId, TimeSpan SentAt) : SupervisorEvent;

internal sealed record SessionCreateFailedEvent(LockServiceError Error) : SupervisorEvent;

internal sealed record SessionRenewedEvent(string SessionId, TimeSpan SentAt) : SupervisorEvent;

internal sealed record SessionRenewFailedEvent(string SessionId, LockServiceError Error) : SupervisorEvent;

/// <summary>A session destroy finished (successfully or after giving up).</summary>
internal sealed record SessionDestroyedEvent(string SessionId, bool Ok) : SupervisorEvent;

/// <summary>An acquire answered: <paramref name="Error"/> is set exactly when <paramref name="Outcome"/> is <see cref="LockAcquireOutcome.Failed"/>.</summary>
internal sealed record AcquireCompletedEvent(string SessionId, LockAcquireOutcome Outcome, LockServiceError? Error = null) : SupervisorEvent;

/// <summary>
/// The consistent read after acquiring: <paramref name="HeldByUs"/> when the key's Session is ours,
/// with its ModifyIndex as the fencing index; <paramref name="Error"/> when the read failed.
/// </summary>
internal sealed record LockConfirmedEvent(string SessionId, bool HeldByUs, ulong FencingIndex, LockServiceError? Error) : SupervisorEvent;

internal sealed record LockReleasedEvent(string SessionId, bool Ok) : SupervisorEvent;

/// <summary>The lock key as the watch last saw it.</summary>
internal sealed record LockObservedEvent(LockObservation Observation) : SupervisorEvent;

/// <summary>
/// The answer to a <see cref="CheckLockAction"/>: the lock key as a read sent at <paramref name="SentAt"/>
/// found it, or why it could not be read. Only the production watch uses it; it does not move the
/// lock watch's index high-water mark (a watch answer still in flight may be older).
/// </summary>
internal sealed record LockCheckedEvent(LockObservation? Observation, TimeSpan SentAt, LockServiceError? Error) : SupervisorEvent;

internal sealed record LockWatchFailedEvent(LockServiceError Error) : SupervisorEvent;

/// <summary>The cluster-wide pause flag as last read from the lock service.</summary>
internal sealed record PauseObservedEvent(bool Paused) : SupervisorEvent;

/// <summary>
/// A handover: the leader should stop validating now and release the lock naming
/// <paramref name="Target"/>; <paramref name="Reason"/> is Switchover (planned) or NotProducing
/// (the production watch found the leader silent and a ready passive to take over).
/// </summary>
internal sealed record HandoverNowEvent(string Target, DemotionReason Reason = DemotionReason.Switchover) : SupervisorEvent;

/// <summary>
/// One look at the chain by the production observer, for the validator account: the duties produced
/// and missed since its previous look, counted in duty heights (the shell takes the kind, block, chunk
/// or endorsement, with the most duties: all of a height's duties are produced or missed together),
/// the heights it covered (<paramref name="FromHeight"/>, <paramref name="ToHeight"/>], and the blocks
/// among them signed with the validator key. On a leader whose look found such blocks the shell
/// also reads how many blocks its own neard produced (<paramref name="NeardProduced"/>, after the
/// blocks; null when not read). For a chunk-only producer, <paramref name="OwnChunks"/> are the heights
/// whose new chunk the validator key signed (null when not read): the stranger rule judges them as it
/// judges blocks, and the leader's check counts them against its neard's chunk count
/// (<see cref="NeardProducedCount.Chunks"/>) instead of its blocks.
/// </summary>
internal sealed record ProductionObservedEvent(int Produced, int Missed, long FromHeight, long ToHeight, IReadOnlyList<OwnBlock> OwnBlocks, NeardProducedCount? NeardProduced = null, IReadOnlyList<OwnBlock>? OwnChunks = null) : SupervisorEvent;

/// <summary>
/// neard's own count of the blocks it produced (<c>near_block_produced_total</c>), or for a chunk-only
/// producer of the chunks (<c>near_chunk_produced_total</c>, <paramref name="Chunks"/>), its head in the
/// same read (<c>near_block_height_head</c>), and which neard said it (<paramref name="Watch"/>
/// changes with each neard process: a new one counts from 0).
/// </summary>
internal sealed record NeardProducedCount(long Watch, long Produced, long Head, bool Chunks = false);

/// <summary>A block signed with the validator key, and how long before the observation it was produced (by its timestamp).</summary>
internal sealed record OwnBlock(long Height, TimeSpan ProducedAgo);

/// <summary>The production observer could not look at the chain (neard's RPC failed or answered nonsense).</summary>
internal sealed record ProductionObserveFailedEvent(string Error) : SupervisorEvent;

/// <summary>
/// The neard of <paramref name="Generation"/> was told (config.json + SIGHUP, confirmed) to exit at
/// <paramref name="Height"/>, while this node led with <paramref name="FencingIndex"/>; what knd does
/// after. The machine ignores it unless that neard and that leadership are still the current ones.
/// </summary>
internal sealed record MaintenanceScheduledEvent(MaintenanceKind Kind, long Height, int Generation, ulong FencingIndex, long Request = 0) : SupervisorEvent;

internal sealed record MaintenanceCancelledEvent : SupervisorEvent;

/// <summary>A maintenance request on a passive: act at once (no duties to protect).</summary>
internal sealed record MaintenanceNowEvent(MaintenanceKind Kind, long Request = 0) : SupervisorEvent;

/// <summary>The other members of the cluster (node ids), as their member records show them: the ones whose promises the failsafe needs.</summary>
internal sealed record PeerMembersEvent(IReadOnlyList<string> NodeIds) : SupervisorEvent;

/// <summary>
/// The failsafe member lists the cluster's member records publish (<c>failsafe_members</c>), by the
/// node whose record it is: only a node that holds or held the lock under the failsafe publishes
/// one. Sent whenever the cluster watch's lists change.
/// </summary>
internal sealed record FailsafeRostersObservedEvent(IReadOnlyDictionary<string, IReadOnlyList<string>> Rosters) : SupervisorEvent;

/// <summary>
/// This node's member record was written with <paramref name="Roster"/> as its failsafe member list
/// (null: without one), under session <paramref name="SessionId"/>; sent when the written list changes.
/// </summary>
internal sealed record FailsafeRosterPublishedEvent(string SessionId, IReadOnlyList<string>? Roster) : SupervisorEvent;

/// <summary>
/// A heartbeat from the leader <paramref name="NodeId"/> holding <paramref name="SessionId"/>; its last
/// successful renewal was sent <paramref name="RenewAge"/> before it sent this. <paramref name="FenceBound"/>:
/// the leader's own fence bound as it reports it (null: not reported).
/// </summary>
internal sealed record LeaderHeartbeatEvent(string NodeId, string SessionId, TimeSpan RenewAge, TimeSpan? FenceBound = null) : SupervisorEvent;

/// <summary>
/// The leader <paramref name="FromNode"/> (session <paramref name="SessionId"/>) asks this node to
/// promise not to take the lock or sign for <paramref name="Duration"/>.
/// <paramref name="LockServiceReachable"/> is what this node's shell found when it asked the lock
/// service just now (Consul: a leader elected and answering).
/// </summary>
internal sealed record PromiseRequestedEvent(long RequestId, string FromNode, string SessionId, TimeSpan Duration, bool LockServiceReachable) : SupervisorEvent;

/// <summary>
/// A member's answer to this leader's promise request sent at <paramref name="SentAt"/> (this node's
/// clock): granted for <paramref name="Duration"/> from when the member received it, or refused.
/// </summary>
internal sealed record PromiseAnsweredEvent(string Member, TimeSpan SentAt, bool Granted, TimeSpan Duration, string? Reason) : SupervisorEvent;

/// <summary>
/// The other members that could take a free lock now (ready passives without <c>no_failover</c>), from
/// the cluster watch's member records; sent whenever that list changes. A better one makes this node
/// defer contending for at most <see cref="FailoverTimings.PriorityDeferral"/>.
/// </summary>
internal sealed record ContendersObservedEvent(IReadOnlyList<Contender> Contenders) : SupervisorEvent;

/// <summary>
/// The pre-promote hook of <paramref name="Attempt"/> ended: <paramref name="Allowed"/> only when it
/// exited 0 within its timeout; <paramref name="Outcome"/> says how it ended (for the log and the error).
/// </summary>
internal sealed record PrePromoteFinishedEvent(int Attempt, bool Allowed, string Outcome) : SupervisorEvent;
