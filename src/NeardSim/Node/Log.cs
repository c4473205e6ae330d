namespace NeardSim.Node;

internal static partial class Log
{
    [LoggerMessage(EventId = 9020, Level = LogLevel.Information,
        Message = "Config reloaded: expected_shutdown={ExpectedShutdown}, near_config_reloads_total={ReloadsTotal}")]
    public static partial void Reloaded(this ILogger logger, string expectedShutdown, long reloadsTotal);

    [LoggerMessage(EventId = 9021, Level = LogLevel.Warning,
        Message = "Config reload failed, nothing applied: {Problem}")]
    public static partial void ReloadFailed(this ILogger logger, string problem);

    [LoggerMessage(EventId = 9022, Level = LogLevel.Information,
        Message = "Updated config field 'expected_shutdown' from {Previous} to {Current}")]
    public static partial void ExpectedShutdownChanged(this ILogger logger, string previous, string current);

    [LoggerMessage(EventId = 9023, Level = LogLevel.Information,
        Message = "Validator key hot swap: now signing as {AccountId} ({PublicKey})")]
    public static partial void ValidatorKeySwapped(this ILogger logger, string accountId, string publicKey);

    [LoggerMessage(EventId = 9024, Level = LogLevel.Warning,
        Message = "Validator key file is gone but the signer {AccountId} is kept (neard 2.0-2.2 behaviour): still validating")]
    public static partial void ValidatorKeyRemovedButKept(this ILogger logger, string accountId);

    [LoggerMessage(EventId = 9025, Level = LogLevel.Warning,
        Message = "Node has not caught up yet: {AccountId} is not shadow-tracked, no signing for {CatchUpMs} ms (--catch-up-after-swap / sim.hot_swap_catchup_ms)")]
    public static partial void CatchingUp(this ILogger logger, string accountId, int catchUpMs);
}
