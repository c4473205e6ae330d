namespace Knd.Supervision;

/// <summary>Supervision log events. EventIds 3000-3099 are stable: never reuse or repurpose one.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "State {From} -> {To}: {Reason}")]
    public static partial void StateChanged(this ILogger logger, SupervisorState from, SupervisorState to, string reason);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Leaving Validating ({State}): {Reason}")]
    public static partial void Demoting(this ILogger logger, SupervisorState state, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Supervising node {NodeId} for account {AccountId}; lock key {LockKey}; session TTL {SessionTtlMs} ms, lock-delay {LockDelayMs} ms, fence after {FenceAfterMs} ms, fence bound {FenceBoundMs} ms")]
    public static partial void Starting(this ILogger logger, string nodeId, string accountId, string lockKey, double sessionTtlMs, double lockDelayMs, double fenceAfterMs, double fenceBoundMs);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "neard started (generation {Generation}, pid {Pid}, mode {Mode})")]
    public static partial void NeardStarted(this ILogger logger, int generation, int pid, NeardMode mode);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "neard (generation {Generation}, pid {Pid}) exited on its own with code {ExitCode}; knd did not stop it")]
    public static partial void NeardExited(this ILogger logger, int generation, int pid, int exitCode);

    [LoggerMessage(EventId = 3026, Level = LogLevel.Information, Message = "neard (generation {Generation}, pid {Pid}) exited with code {ExitCode} after knd stopped it ({Reason})")]
    public static partial void NeardExitedAsAsked(this ILogger logger, int generation, int pid, int exitCode, string reason);

    [LoggerMessage(EventId = 3027, Level = LogLevel.Information, Message = "neard (generation {Generation}, pid {Pid}) stopped itself at its expected_shutdown height {Height}, as knd set it for maintenance")]
    public static partial void NeardExitedAtExpectedShutdown(this ILogger logger, int generation, int pid, long height);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Stopping neard (generation {Generation}): {Reason}")]
    public static partial void StoppingNeard(this ILogger logger, int generation, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "neard (generation {Generation}) stopped: {Outcome}")]
    public static partial void NeardStopped(this ILogger logger, int generation, string outcome);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Critical, Message = "neard (generation {Generation}) did not confirm its exit after SIGKILL; holding the lock until it does")]
    public static partial void NeardStopUnconfirmed(this ILogger logger, int generation);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Error, Message = "neard could not be started: {Error}")]
    public static partial void NeardStartFailed(this ILogger logger, string error);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Information, Message = "Validator key installed and neard (pid {Pid}) sent SIGHUP")]
    public static partial void KeyInstalled(this ILogger logger, int pid);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "Installing the validator key failed: {Error}")]
    public static partial void KeyInstallFailed(this ILogger logger, string error);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "Validator key removed from the neard home")]
    public static partial void KeyRemoved(this ILogger logger);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "Consul session {SessionId} created")]
    public static partial void SessionCreated(this ILogger logger, string sessionId);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Error, Message = "Consul: {Operation} failed: {Error}")]
    public static partial void ConsulFailed(this ILogger logger, string operation, string error);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Information, Message = "Consul session {SessionId} destroyed")]
    public static partial void SessionDestroyed(this ILogger logger, string sessionId);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Warning, Message = "Consul session {SessionId} could not be destroyed; it expires on its own within 2 x TTL")]
    public static partial void SessionDestroyGaveUp(this ILogger logger, string sessionId);

    [LoggerMessage(EventId = 3016, Level = LogLevel.Information, Message = "Lock {LockKey} acquired and confirmed; fencing index {FencingIndex}")]
    public static partial void LockConfirmed(this ILogger logger, string lockKey, ulong fencingIndex);

    [LoggerMessage(EventId = 3017, Level = LogLevel.Information, Message = "Lock {LockKey} released (handover to {HandoverTo})")]
    public static partial void LockReleased(this ILogger logger, string lockKey, string handoverTo);

    [LoggerMessage(EventId = 3018, Level = LogLevel.Critical, Message = "Supervision loop failed; killing neard and exiting so the service manager restarts knd")]
    public static partial void LoopCrashed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3019, Level = LogLevel.Warning, Message = "neard health: {Error}")]
    public static partial void HealthFailed(this ILogger logger, string error);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Information, Message = "Leader is now {LeaderNodeId}")]
    public static partial void LeaderChanged(this ILogger logger, string leaderNodeId);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Warning, Message = "Destroyed session {SessionId}, which held the lock for this node's previous knd (pid {Pid}, no longer running), so a new leader need not wait for it to expire")]
    public static partial void StaleLeaderSessionDestroyed(this ILogger logger, string sessionId, int pid);

    [LoggerMessage(EventId = 3022, Level = LogLevel.Error, Message = "The lock names this node ({NodeId}) but another live process (pid {Pid}) on this host; is a second knd running with the same --node-id?")]
    public static partial void OtherKndHoldsOurLock(this ILogger logger, int pid, string nodeId);

    // 3080-3099: the Consul driver (issue 11); kept apart from the ids above so parallel work does not collide.
    [LoggerMessage(EventId = 3080, Level = LogLevel.Error, Message = "Consul {Operation} failed inside knd; reported to the supervisor as a failed request so it retries")]
    public static partial void ConsulTaskCrashed(this ILogger logger, string operation, Exception exception);

    [LoggerMessage(EventId = 3081, Level = LogLevel.Error, Message = "The Consul {Watch} hit an unexpected error; it starts again from index 0")]
    public static partial void WatchCrashed(this ILogger logger, string watch, Exception exception);

    [LoggerMessage(EventId = 3082, Level = LogLevel.Warning, Message = "Consul: {Operation} failed {Count} times in the last {WindowSeconds} s; last: {Error}")]
    public static partial void ConsulStillFailing(this ILogger logger, string operation, int count, long windowSeconds, string error);

    [LoggerMessage(EventId = 3083, Level = LogLevel.Information, Message = "Consul: {Operation} works again after {Count} failures in {DurationSeconds} s")]
    public static partial void ConsulRecovered(this ILogger logger, string operation, int count, long durationSeconds);

    [LoggerMessage(EventId = 3084, Level = LogLevel.Information, Message = "Lock watch: the lock key {LockKey} does not exist (Consul index {Index})")]
    public static partial void LockKeyMissing(this ILogger logger, string lockKey, ulong index);

    [LoggerMessage(EventId = 3085, Level = LogLevel.Information, Message = "Lock watch: the lock key {LockKey} exists (session {Holder}, modify index {ModifyIndex}, Consul index {Index})")]
    public static partial void LockKeyPresent(this ILogger logger, string lockKey, string holder, ulong modifyIndex, ulong index);

    [LoggerMessage(EventId = 3086, Level = LogLevel.Warning, Message = "Consul {Watch}: {Problem}; reading again from index 0")]
    public static partial void WatchIndexReset(this ILogger logger, string watch, string problem);

    [LoggerMessage(EventId = 3090, Level = LogLevel.Information, Message = "Consul {Watch}: Consul answers again after a request could not reach it; asking afresh instead of waiting on a blocking query sent before")]
    public static partial void WatchRestartedAfterReconnect(this ILogger logger, string watch);

    [LoggerMessage(EventId = 3087, Level = LogLevel.Warning, Message = "Lock watch: the lock key {LockKey} disappeared (Consul index {Index}); with Behavior=release that means Consul lost or restored its state")]
    public static partial void LockKeyDisappeared(this ILogger logger, string lockKey, ulong index);

    [LoggerMessage(EventId = 3088, Level = LogLevel.Information, Message = "Lock watch works again after {Count} failures in {DurationSeconds} s: {Observation} (Consul index {Index})")]
    public static partial void LockWatchRecovered(this ILogger logger, int count, long durationSeconds, string observation, ulong index);

    [LoggerMessage(EventId = 3089, Level = LogLevel.Information, Message = "Destroyed orphan Consul session {SessionId} (create index {CreateIndex}): a session create of this knd whose answer was lost had made it")]
    public static partial void OrphanSessionDestroyed(this ILogger logger, string sessionId, ulong createIndex);

    [LoggerMessage(EventId = 3023, Level = LogLevel.Critical, Message = "The neard worker failed; killing neard and exiting so the service manager restarts knd")]
    public static partial void NeardWorkerFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3024, Level = LogLevel.Warning, Message = "Start of neard (generation {Generation}) cancelled {When}: a stop of that generation pre-empts it")]
    public static partial void NeardStartPreempted(this ILogger logger, int generation, string when);

    [LoggerMessage(EventId = 3025, Level = LogLevel.Information, Message = "The lock names this node, but session {SessionId} (pid {Pid}) was written in another boot or pid namespace (boot id {BootId}, pid namespace {PidNamespace}) than this knd's; leaving it to expire")]
    public static partial void StaleLeaderOtherPidSpace(this ILogger logger, string sessionId, int pid, string bootId, string pidNamespace);

    // 3060-3069: the production watch's Consul action (issue 13).
    [LoggerMessage(EventId = 3060, Level = LogLevel.Error, Message = "Automatic failover paused cluster-wide by {NodeId}: {Reason}. Run `knd resume` once the other signer is stopped (docs/operations.md)")]
    public static partial void ClusterPausedByKnd(this ILogger logger, string nodeId, string reason);

    [LoggerMessage(EventId = 3061, Level = LogLevel.Error, Message = "Could not set the cluster-wide pause ({Reason}) after {Attempts} attempts: {Error}; this node still refuses to promote within the doppelganger window")]
    public static partial void ClusterPauseFailed(this ILogger logger, string reason, int attempts, string error);

    [LoggerMessage(EventId = 3095, Level = LogLevel.Warning, Message = "Fast failover: destroying session {SessionId} of leader {NodeId}, which stopped heartbeating or renewing; Consul's lock-delay starts now")]
    public static partial void DestroyingLeaderSession(this ILogger logger, string nodeId, string sessionId);

    [LoggerMessage(EventId = 3096, Level = LogLevel.Warning, Message = "Failsafe member list: {Reason}")]
    public static partial void RosterLeavesThisNodeOut(this ILogger logger, string reason);
}
