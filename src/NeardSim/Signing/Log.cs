namespace NeardSim.Signing;

internal static partial class Log
{
    [LoggerMessage(EventId = 9040, Level = LogLevel.Information, Message = "Signed block {Height} as {AccountId}")]
    public static partial void Signed(this ILogger logger, long height, string accountId);

    [LoggerMessage(EventId = 9041, Level = LogLevel.Error, Message = "Could not record block {Height} in the ledger: {Problem}")]
    public static partial void LedgerWriteFailed(this ILogger logger, long height, string problem);

    [LoggerMessage(EventId = 9042, Level = LogLevel.Information,
        Message = "Expected shutdown triggered: head block({Head}) >= ({ExpectedShutdown})")]
    public static partial void ExpectedShutdownTriggered(this ILogger logger, long head, long expectedShutdown);

    [LoggerMessage(EventId = 9043, Level = LogLevel.Warning, Message = "Did not sign duty height {Height} as {AccountId}: {Reason}")]
    public static partial void SkippedDuty(this ILogger logger, long height, string accountId, string reason);
}
