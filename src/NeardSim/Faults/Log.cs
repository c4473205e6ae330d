namespace NeardSim.Faults;

internal static partial class Log
{
    [LoggerMessage(EventId = 9060, Level = LogLevel.Warning, Message = "Fault sim-rpc-hang {State}")]
    public static partial void RpcHangFileChanged(this ILogger logger, string state);

    [LoggerMessage(EventId = 9061, Level = LogLevel.Error, Message = "Simulated crash: {Reason}; exiting with code 1")]
    public static partial void Crashing(this ILogger logger, string reason);

    [LoggerMessage(EventId = 9062, Level = LogLevel.Warning, Message = "Could not delete the sim-crash file, a restart will crash again: {Problem}")]
    public static partial void CrashFileNotDeleted(this ILogger logger, string problem);

    [LoggerMessage(EventId = 9063, Level = LogLevel.Warning, Message = "Fault sim-no-sign {State}")]
    public static partial void NoSignFileChanged(this ILogger logger, string state);
}
