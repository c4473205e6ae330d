namespace Knd.Cluster;

/// <summary>Cluster coordination log events. EventIds 3150-3199 are stable: never reuse or repurpose one.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3150, Level = LogLevel.Information, Message = "Switchover {SwitchoverId}: {Phase}: {Message}")]
    public static partial void SwitchoverPhase(this ILogger logger, string switchoverId, string phase, string message);

    [LoggerMessage(EventId = 3151, Level = LogLevel.Information, Message = "Switchover {SwitchoverId} finished ({Phase}): {Message}")]
    public static partial void SwitchoverFinished(this ILogger logger, string switchoverId, string phase, string message);

    [LoggerMessage(EventId = 3152, Level = LogLevel.Information, Message = "Automatic failover {Action} by {NodeId}")]
    public static partial void PauseChanged(this ILogger logger, string action, string nodeId);

    [LoggerMessage(EventId = 3153, Level = LogLevel.Information, Message = "Switchover {SwitchoverId} requested: {From} -> {To}")]
    public static partial void SwitchoverRequested(this ILogger logger, string switchoverId, string from, string to);

    [LoggerMessage(EventId = 3154, Level = LogLevel.Information, Message = "Member record of {Member} removed (asked on {NodeId})")]
    public static partial void MemberRemoved(this ILogger logger, string member, string nodeId);
}
