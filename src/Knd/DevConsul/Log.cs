namespace Knd.DevConsul;

internal static partial class Log
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "dev-consul listening on {Address} (node {NodeName}, ACL {AclMode})")]
    public static partial void DevListening(this ILogger logger, string address, string nodeName, string aclMode);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Session {SessionId} ({Name}) created, TTL '{Ttl}', lock-delay {LockDelayMs} ms")]
    public static partial void DevSessionCreated(this ILogger logger, string sessionId, string name, string ttl, double lockDelayMs);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Session {SessionId} ({Name}) destroyed")]
    public static partial void DevSessionDestroyed(this ILogger logger, string sessionId, string name);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Session {SessionId} ({Name}) expired: not renewed within 2 x TTL '{Ttl}'")]
    public static partial void DevSessionExpired(this ILogger logger, string sessionId, string name, string ttl);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Fault injection: {Fault} set to {Setting}")]
    public static partial void DevFaultChanged(this ILogger logger, string fault, string setting);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Debug, Message = "Black-holing {Method} {Path} from node {Node}")]
    public static partial void DevRequestBlackholed(this ILogger logger, string method, string path, string node);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Debug, Message = "{Method} {Path} answered {StatusCode}")]
    public static partial void DevRequestAnswered(this ILogger logger, string method, string path, int statusCode);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Information, Message = "Refused {Method} {Path}: {Reason}")]
    public static partial void DevAclRefused(this ILogger logger, string method, string path, string reason);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Information, Message = "Spoiled the answer to {Method} {Path} ({StatusCode}) with {Mode} (rule {RuleId})")]
    public static partial void DevAnswerSpoiled(this ILogger logger, string method, string path, int statusCode, string mode, int ruleId);
}
