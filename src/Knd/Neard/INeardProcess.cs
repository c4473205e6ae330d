namespace Knd.Neard;

/// <summary>How a <see cref="INeardProcess.StopAsync"/> ended.</summary>
internal enum NeardStopResult
{
    /// <summary>The process had already exited (and been reaped) when the stop began.</summary>
    AlreadyExited,

    /// <summary>It exited within the SIGTERM grace period.</summary>
    ExitedAfterTerm,

    /// <summary>It ignored SIGTERM; SIGKILL was sent and its exit confirmed.</summary>
    Killed,

    /// <summary>
    /// SIGKILL was sent but the exit was not confirmed within the kill-confirm timeout (for example a
    /// process stuck in uninterruptible I/O). The process may still hold the key: the supervisor must
    /// treat it as possibly signing until <see cref="INeardProcess.Exited"/> completes.
    /// </summary>
    NotConfirmed,
}

/// <summary>
/// One running neard. Its exit is only ever reported after the kernel confirmed it (the child was
/// reaped), never inferred from a signal having been sent. Disposing it SIGKILLs a process that is
/// still running (without waiting for the exit).
/// </summary>
internal interface INeardProcess : IDisposable
{
    int Pid { get; }

    string Home { get; }

    /// <summary>Completes once the process has exited and been reaped: its exit code, or 128 + signal number for a signal death.</summary>
    Task<int> Exited { get; }

    /// <summary>Sends <paramref name="signal"/> (e.g. SIGHUP for a reload). False when the process is already gone.</summary>
    bool Signal(int signal);

    /// <summary>
    /// SIGTERM, up to <paramref name="termTimeout"/> for the exit, then SIGKILL and up to
    /// <paramref name="killConfirmTimeout"/> for the confirmed exit. Never blocks a thread; idempotent
    /// and safe to call concurrently with an exit or another stop. If cancelled, SIGKILL is sent before
    /// the <see cref="OperationCanceledException"/>, so an abandoned stop never leaves neard running
    /// on its own terms.
    /// </summary>
    Task<NeardStopResult> StopAsync(TimeSpan termTimeout, TimeSpan killConfirmTimeout, CancellationToken cancellationToken);

    /// <summary>
    /// Last resort before knd dies on purpose: SIGKILL now, without waiting for the exit. Never
    /// throws (there is nothing left to do with an error on that path).
    /// </summary>
    void KillNow();
}
