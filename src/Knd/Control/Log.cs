namespace Knd.Control;

/// <summary>Control socket log events. EventIds 3200-3249 are stable: never reuse or repurpose one.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3200, Level = LogLevel.Information, Message = "Control socket listening on {Path}")]
    public static partial void ControlListening(this ILogger logger, string path);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Control: {Method} {Route} {Request}")]
    public static partial void ControlRequest(this ILogger logger, string method, string route, string request);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Control: {Method} {Route} refused: {Reason}")]
    public static partial void ControlRefused(this ILogger logger, string method, string route, string reason);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Debug, Message = "Control: bad request {Method} {Path}: {Status} {Reason}")]
    public static partial void ControlBadRequest(this ILogger logger, string method, string path, int status, string reason);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Error, Message = "Control: {Method} {Route} failed")]
    public static partial void ControlFailed(this ILogger logger, Exception exception, string method, string route);
}
