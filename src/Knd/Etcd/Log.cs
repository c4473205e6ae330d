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
}
