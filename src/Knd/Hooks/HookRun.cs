namespace Knd.Hooks;

/// <summary>The operator hooks of <c>knd run</c>; the <c>hook</c> label of <c>knd_hook_runs_total</c>.</summary>
internal enum HookKind
{
    /// <summary><c>--on-role-change</c>: told after every role change; its result changes nothing.</summary>
    OnRoleChange,

    /// <summary><c>--pre-promote</c>: asked before a promotion; anything but exit 0 vetoes it.</summary>
    PrePromote,
}

/// <summary>How one hook run ended; the <c>outcome</c> label of <c>knd_hook_runs_total</c>.</summary>
internal enum HookOutcome
{
    /// <summary>Exited 0 within its timeout.</summary>
    Ok,

    /// <summary>Exited with another code, or was killed by a signal it did not get from knd.</summary>
    Failed,

    /// <summary>Still running at its timeout: its process group was killed.</summary>
    Timeout,

    /// <summary>Could not be started (no /bin/sh, no setsid, fork failed).</summary>
    StartFailed,

    /// <summary>A role change whose hook never ran: the queue was full (the oldest waiting one goes).</summary>
    Dropped,
}

/// <summary>One run of a hook: the shell command, the variables knd adds to its environment, and its bound.</summary>
internal sealed record HookInvocation(HookKind Kind, string Command, IReadOnlyDictionary<string, string> Variables, TimeSpan Timeout);

/// <summary>What one hook run did. <paramref name="ExitCode"/> is null unless it exited; <paramref name="Error"/> says why it could not start.</summary>
internal sealed record HookResult(HookOutcome Outcome, int? ExitCode, TimeSpan Duration, string? Error = null)
{
    /// <summary>How it ended, in words, for the log and the supervisor's last error.</summary>
    public string Describe() => Outcome switch
    {
        HookOutcome.Ok => "exit 0",
        HookOutcome.Failed => $"exit code {ExitCode}",
        HookOutcome.Timeout => $"killed at its timeout after {Duration.TotalSeconds:0.#}s",
        HookOutcome.StartFailed => $"could not start: {Error}",
        _ => Outcome.ToString(),
    };
}

/// <summary>The seam between knd and the hook's process: runs one hook to its end (or its timeout) and says how it went.</summary>
internal interface IHookRunner
{
    /// <summary>Never throws for the hook's own failures (they are in the result); cancellation kills the hook's process group.</summary>
    Task<HookResult> RunAsync(HookInvocation invocation, CancellationToken cancellationToken);
}
