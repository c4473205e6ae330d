namespace Knd.Etcd;

/// <summary>etcd backend log events. EventIds 1200-1249 are stable: never reuse or repurpose one.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "etcd watch: revision {Revision} was compacted (compact revision {CompactRevision}); reading the keys afresh")]
    public static partial void EtcdWatchCompacted(this ILogger logger, long revision, long compactRevision);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "etcd watch: the store's revision went back from {Previous} to {Revision}: etcd lost or restored its state")]
    public static partial void EtcdRevisionWentBack(this ILogger logger, long previous, long revision);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "etcd watch: the cluster id changed from {Previous:x16} to {ClusterId:x16}: this is another etcd cluster")]
    public static partial void EtcdClusterChanged(this ILogger logger, ulong previous, ulong clusterId);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "etcd watch: the lock key {Key} went with lease {Lease} (expired or revoked) at revision {Revision}; lock-delay {LockDelayMs} ms")]
    public static partial void EtcdLockExpired(this ILogger logger, string key, string lease, long revision, long lockDelayMs);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Information, Message = "etcd lease {SessionId} granted (TTL {TtlSeconds} s)")]
    public static partial void EtcdLeaseGranted(this ILogger logger, string sessionId, long ttlSeconds);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Information, Message = "etcd lease {SessionId} revoked")]
    public static partial void EtcdLeaseRevoked(this ILogger logger, string sessionId);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Warning, Message = "etcd lease {SessionId} could not be revoked; it expires on its own within its TTL")]
    public static partial void EtcdLeaseRevokeGaveUp(this ILogger logger, string sessionId);

    [LoggerMessage(EventId = 1207, Level = LogLevel.Information, Message = "Lock {LockKey} acquired and confirmed on etcd; fencing index (key revision) {FencingIndex}")]
    public static partial void EtcdLockConfirmed(this ILogger logger, string lockKey, ulong fencingIndex);

    [LoggerMessage(EventId = 1208, Level = LogLevel.Information, Message = "Lock {LockKey} released on etcd (handover to {HandoverTo})")]
    public static partial void EtcdLockReleased(this ILogger logger, string lockKey, string handoverTo);

    [LoggerMessage(EventId = 1209, Level = LogLevel.Error, Message = "etcd: {Operation} failed: {Error}")]
    public static partial void EtcdFailed(this ILogger logger, string operation, string error);

    [LoggerMessage(EventId = 1210, Level = LogLevel.Warning, Message = "etcd: {Operation} failed {Count} times in the last {WindowSeconds} s; last: {Error}")]
    public static partial void EtcdStillFailing(this ILogger logger, string operation, int count, long windowSeconds, string error);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Information, Message = "etcd: {Operation} works again after {Count} failures in {DurationSeconds} s")]
    public static partial void EtcdRecovered(this ILogger logger, string operation, int count, long durationSeconds);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Error, Message = "etcd {Operation} failed inside knd; reported to the supervisor as a failed request so it retries")]
    public static partial void EtcdTaskCrashed(this ILogger logger, string operation, Exception exception);
}
