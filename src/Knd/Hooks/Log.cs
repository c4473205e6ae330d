namespace Knd.Hooks;

/// <summary>Operator hook events (--on-role-change, --pre-promote). EventIds 3400-3449 are stable: never reuse or repurpose one.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3400, Level = LogLevel.Information, Message = "Hook {Hook} finished in {DurationMs} ms (exit 0)")]
    public static partial void HookSucceeded(this ILogger logger, string hook, double durationMs);

    [LoggerMessage(EventId = 3401, Level = LogLevel.Warning, Message = "Hook {Hook} exited with code {ExitCode} after {DurationMs} ms")]
    public static partial void HookFailed(this ILogger logger, string hook, int? exitCode, double durationMs);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Warning, Message = "Hook {Hook} was still running at its timeout ({TimeoutMs} ms); its process group was killed")]
    public static partial void HookTimedOut(this ILogger logger, string hook, double timeoutMs);

    [LoggerMessage(EventId = 3403, Level = LogLevel.Error, Message = "Hook {Hook} could not be started: {Error}")]
    public static partial void HookStartFailed(this ILogger logger, string hook, string error);

    [LoggerMessage(EventId = 3404, Level = LogLevel.Warning, Message = "Role-change hook for {OldRole} -> {Role} ({Reason}) dropped: {Capacity} newer changes wait behind a running hook")]
    public static partial void RoleChangeDropped(this ILogger logger, string oldRole, string role, string reason, int capacity);

    [LoggerMessage(EventId = 3405, Level = LogLevel.Information, Message = "Hook {Hook}: {Line}")]
    public static partial void HookOutput(this ILogger logger, string hook, string line);

    [LoggerMessage(EventId = 3406, Level = LogLevel.Debug, Message = "Hook {Hook} started (pid {Pid}, timeout {TimeoutMs} ms)")]
    public static partial void HookStarted(this ILogger logger, string hook, int pid, double timeoutMs);

    [LoggerMessage(EventId = 3407, Level = LogLevel.Information, Message = "Role change {OldRole} -> {Role} ({Reason}): running the role-change hook")]
    public static partial void RoleChanged(this ILogger logger, string oldRole, string role, string reason);

    [LoggerMessage(EventId = 3408, Level = LogLevel.Warning, Message = "Pre-promote hook vetoed the promotion ({Outcome}); the lock is given back and the promotion backs off")]
    public static partial void PrePromoteVetoed(this ILogger logger, string outcome);
}
