namespace Knd.Consul;

internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Debug, Message = "Consul {Operation} {Method} {Path} answered {StatusCode} in {ElapsedMs} ms")]
    public static partial void ConsulRequestCompleted(this ILogger logger, string operation, string method, string path, int statusCode, long elapsedMs);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Consul {Operation} failed: {ErrorKind}: {ErrorMessage}")]
    public static partial void ConsulRequestFailed(this ILogger logger, string operation, ConsulErrorKind errorKind, string errorMessage);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Consul acquire of {Key} answered false; the key is held by session {Holder}")]
    public static partial void ConsulAcquireHeldByOther(this ILogger logger, string key, string holder);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Consul acquire of {Key} answered false and the key is unlocked: a lock-delay is in force")]
    public static partial void ConsulAcquireLockDelay(this ILogger logger, string key);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Consul acquire of {Key} refused session {SessionId} as invalid: the session is gone")]
    public static partial void ConsulAcquireSessionGone(this ILogger logger, string key, string sessionId);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "Consul {Operation} failed again: {ErrorKind}: {ErrorMessage}")]
    public static partial void ConsulRequestFailedAgain(this ILogger logger, string operation, ConsulErrorKind errorKind, string errorMessage);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Consul {Operation} failed {Count} times in the last {WindowSeconds} s; last: {ErrorKind}: {ErrorMessage}")]
    public static partial void ConsulRequestStillFailing(this ILogger logger, string operation, int count, long windowSeconds, ConsulErrorKind errorKind, string errorMessage);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Consul {Operation} works again after {Count} failures in {DurationSeconds} s")]
    public static partial void ConsulRequestRecovered(this ILogger logger, string operation, int count, long durationSeconds);
}
