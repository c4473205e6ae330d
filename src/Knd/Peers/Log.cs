namespace Knd.Peers;

/// <summary>Peer channel log events. EventIds 3300-3349 are stable: never reuse or repurpose one.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3300, Level = LogLevel.Information, Message = "Peer channel listening on {Bound}, advertised as {Advertised}; fast failover {FastFailover}, failsafe {Failsafe}")]
    public static partial void PeerListening(this ILogger logger, string bound, string advertised, bool fastFailover, bool failsafe);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning, Message = "Peer request {Method} {Path} from {Remote} refused: {Reason}")]
    public static partial void PeerRequestRejected(this ILogger logger, string method, string path, string remote, PeerRejection reason);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Warning, Message = "Peer requests refused {Count} times in the last {WindowSeconds} s (last: {Reason})")]
    public static partial void PeerRequestsStillRejected(this ILogger logger, int count, long windowSeconds, PeerRejection reason);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Warning, Message = "Peer {Operation} to {Member} at {Address} failed: {Error}")]
    public static partial void PeerCallFailed(this ILogger logger, string operation, string member, string address, string error);

    [LoggerMessage(EventId = 3304, Level = LogLevel.Warning, Message = "Peer {Operation} to {Member} failed {Count} times in the last {WindowSeconds} s: {Error}")]
    public static partial void PeerCallStillFailing(this ILogger logger, string operation, string member, int count, long windowSeconds, string error);

    [LoggerMessage(EventId = 3305, Level = LogLevel.Information, Message = "Peer {Operation} to {Member} works again after {Count} failures over {WindowSeconds} s")]
    public static partial void PeerCallRecovered(this ILogger logger, string operation, string member, int count, long windowSeconds);

    [LoggerMessage(EventId = 3306, Level = LogLevel.Information, Message = "Cluster members for the failsafe: {Members}")]
    public static partial void PeerMembers(this ILogger logger, string members);

    [LoggerMessage(EventId = 3307, Level = LogLevel.Warning, Message = "Heartbeats of leader {NodeId} say its lock-delay ({LockDelayMs} ms) does not cover its fence bound ({FenceBoundMs} ms) plus {MarginMs} ms: fast failover leaves its session to expire")]
    public static partial void LeaderNotDestroyable(this ILogger logger, string nodeId, long lockDelayMs, long fenceBoundMs, long marginMs);

    [LoggerMessage(EventId = 3308, Level = LogLevel.Information, Message = "Promise to {Leader} (session {SessionId}) for {DurationMs} ms: {Answer}; Consul reachable from here: {Reachable}")]
    public static partial void PromiseAnswered(this ILogger logger, string leader, string sessionId, long durationMs, string answer, bool reachable);

    [LoggerMessage(EventId = 3309, Level = LogLevel.Information, Message = "SIGHUP: cluster secret file re-read")]
    public static partial void SecretReloaded(this ILogger logger);

    [LoggerMessage(EventId = 3310, Level = LogLevel.Error, Message = "SIGHUP: {Error}")]
    public static partial void SecretReloadFailed(this ILogger logger, string error);

    [LoggerMessage(EventId = 3311, Level = LogLevel.Error, Message = "Peer channel task failed inside knd: {Operation}")]
    public static partial void PeerTaskCrashed(this ILogger logger, string operation, Exception exception);
}
