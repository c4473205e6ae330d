namespace Knd.Metrics;

/// <summary>Metrics log events. EventIds 5000-5049 are stable: never reuse or repurpose one.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Error, Message = "Metrics: {Count} instrument callback(s) failed during a scrape; their series are missing from it")]
    public static partial void ObservationFailed(this ILogger logger, int count, Exception first);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Metrics: instrument {Instrument} ({Kind}) is not exported; only observable counters and gauges are")]
    public static partial void InstrumentNotExported(this ILogger logger, string instrument, string kind);
}
