namespace NeardSim.Hosting;

internal static partial class Log
{
    [LoggerMessage(EventId = 9000, Level = LogLevel.Information,
        Message = "neard-sim starting: home={Home} chain_id={ChainId} pid={Pid} validator={Validator} ledger={Ledger} boot_nodes={BootNodes}")]
    public static partial void Starting(
        this ILogger logger, string home, string chainId, int pid, string validator, string ledger, string bootNodes);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "RPC listening on {Address}")]
    public static partial void Listening(this ILogger logger, string address);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Error, Message = "Cannot start RPC on {Address}: {Problem}")]
    public static partial void ListenFailed(this ILogger logger, string address, string problem);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Information, Message = "Exiting with code {ExitCode}: {Reason}")]
    public static partial void Exiting(this ILogger logger, int exitCode, string reason);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Information, Message = "Received {Signal}, stopping")]
    public static partial void Stopping(this ILogger logger, string signal);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Warning,
        Message = "Received {Signal}; sim.ignore_sigterm_ms keeps the node running for {DelayMs} ms")]
    public static partial void IgnoringSignal(this ILogger logger, string signal, int delayMs);

    [LoggerMessage(EventId = 9006, Level = LogLevel.Information, Message = "Received {Signal} again; already stopping")]
    public static partial void SignalAgain(this ILogger logger, string signal);

    [LoggerMessage(EventId = 9007, Level = LogLevel.Information, Message = "Received SIGHUP, reloading config.json and the validator key")]
    public static partial void HangUp(this ILogger logger);

    [LoggerMessage(EventId = 9008, Level = LogLevel.Information, Message = "Syncing for {SyncMs} ms; RPC answers 503 for {StartupMs} ms")]
    public static partial void StartupDelays(this ILogger logger, int syncMs, int startupMs);
}
