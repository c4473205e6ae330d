
namespace Knd.Neard;

/// <summary>Log events of the neard process, home and RPC (EventIds 2000-2099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "neard started: pid {Pid}, {NeardBin} {Arguments}")]
    public static partial void NeardStarted(this ILogger logger, int pid, string neardBin, string arguments);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "neard could not be started ({NeardBin} on {Home}): {Reason}")]
    public static partial void NeardStartFailed(this ILogger logger, string neardBin, string home, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "neard pid {Pid} exited with code {ExitCode}")]
    public static partial void NeardExited(this ILogger logger, int pid, int exitCode);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "neard pid {Pid}: SIGTERM sent, waiting up to {TimeoutMs}ms")]
    public static partial void NeardSigtermSent(this ILogger logger, int pid, double timeoutMs);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "neard pid {Pid} still running {TimeoutMs}ms after SIGTERM: SIGKILL sent")]
    public static partial void NeardSigkillSent(this ILogger logger, int pid, double timeoutMs);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "neard pid {Pid}: exit not confirmed {TimeoutMs}ms after SIGKILL")]
    public static partial void NeardStopNotConfirmed(this ILogger logger, int pid, double timeoutMs);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "neard pid {Pid} killed (SIGKILL) on dispose")]
    public static partial void NeardKilledOnDispose(this ILogger logger, int pid);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "neard pid {Pid}: {Reason}")]
    public static partial void NeardOomScoreNotSet(this ILogger logger, int pid, string reason);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning, Message = "neard pid {Pid} exited but left processes in its process group (a --neard-bin wrapper that does not exec?); SIGKILL sent to the group")]
    public static partial void NeardGroupLeftover(this ILogger logger, int pid);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Critical, Message = "neard pid {Pid} exited but its process group cannot be killed: {Reason}; its exit stays unconfirmed")]
    public static partial void NeardGroupKillFailed(this ILogger logger, int pid, string reason);

    [LoggerMessage(EventId = 2043, Level = LogLevel.Warning, Message = "neard pid {Pid} left process {EscapedPid} ({CommandLine}) outside its process group (setsid or a double fork); it is stopped with the group and killed if it outlives neard")]
    public static partial void NeardEscapedGroup(this ILogger logger, int pid, int escapedPid, string commandLine);

    [LoggerMessage(EventId = 2044, Level = LogLevel.Critical, Message = "neard pid {Pid} left process {EscapedPid} outside its process group and it cannot be killed: {Reason}; neard's exit stays unconfirmed")]
    public static partial void NeardEscapedKillFailed(this ILogger logger, int pid, int escapedPid, string reason);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "a neard from an earlier run is on this home: pid {Pid} ({CommandLine}); killing it (SIGKILL)")]
    public static partial void StrayNeardFound(this ILogger logger, int pid, string commandLine);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "stray neard pid {Pid} is gone")]
    public static partial void StrayNeardKilled(this ILogger logger, int pid);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Information, Message = "neard home {Home} prepared as voter (network.addr {NetworkAddr}, no validator key, public_addrs {PublicAddrs}, shard tracking {Tracking})")]
    public static partial void HomePreparedVoter(this ILogger logger, string home, string networkAddr, string publicAddrs, string tracking);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Information, Message = "neard home {Home} prepared as validator (network.addr {NetworkAddr}, public_addrs {PublicAddrs})")]
    public static partial void HomePreparedValidator(this ILogger logger, string home, string networkAddr, string publicAddrs);

    [LoggerMessage(EventId = 2022, Level = LogLevel.Information, Message = "validator key installed in {Home} for account {AccountId}; neard advertises the public_addrs it started with: {PublicAddrs}")]
    public static partial void ValidatorKeyInstalled(this ILogger logger, string home, string accountId, string publicAddrs);

    [LoggerMessage(EventId = 2023, Level = LogLevel.Information, Message = "validator key removed from {Home}")]
    public static partial void ValidatorKeyRemoved(this ILogger logger, string home);

    [LoggerMessage(EventId = 2024, Level = LogLevel.Information, Message = "expected_shutdown in {Home} set to {Height}")]
    public static partial void ExpectedShutdownSet(this ILogger logger, string home, string height);

    [LoggerMessage(EventId = 2030, Level = LogLevel.Debug, Message = "neard RPC {Method} failed: {Error}")]
    public static partial void RpcCallFailed(this ILogger logger, string method, NeardRpcError error);

    [LoggerMessage(EventId = 2031, Level = LogLevel.Information, Message = "neard does not know {OldMethod}; using {NewMethod}")]
    public static partial void RpcMethodFallback(this ILogger logger, string oldMethod, string newMethod);

    [LoggerMessage(EventId = 2040, Level = LogLevel.Information, Message = "{Stream}: {Line}")]
    public static partial void NeardOutput(this ILogger logger, string stream, string line);

    [LoggerMessage(EventId = 2041, Level = LogLevel.Debug, Message = "neard's {Stream} ended: {Reason}")]
    public static partial void NeardOutputEnded(this ILogger logger, string stream, string reason);

    [LoggerMessage(EventId = 2042, Level = LogLevel.Warning, Message = "neard pid {Pid} was reaped before knd could watch it; its exit code is unknown")]
    public static partial void NeardExitCodeUnknown(this ILogger logger, int pid);
}
