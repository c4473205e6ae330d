namespace Knd.Metrics;

/// <summary>Metrics log events. EventIds 5000-5049 are stable: never reuse or repurpose one.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Error, Message = "Metrics: setting the supervisor's values failed during a scrape; they keep their last values in it")]
    public static partial void ObservationFailed(this ILogger logger, Exception error);
}
