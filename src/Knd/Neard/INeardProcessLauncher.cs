namespace Knd.Neard;

/// <summary>Starts neard processes (the seam between the supervisor and real processes).</summary>
internal interface INeardProcessLauncher
{
    /// <summary>
    /// Kills any stray neard left on the same home by an earlier knd, then starts neard. The child
    /// is bound to knd's life (it is SIGKILLed by the kernel when knd dies). Throws
    /// <see cref="NeardStartException"/> with a one-line reason when it cannot start.
    /// Cancellable throughout: cancelled before neard was forked it throws
    /// <see cref="OperationCanceledException"/> (nothing runs); cancelled after the fork it throws
    /// <see cref="NeardStartCancelledException"/> carrying the forked process, which the caller
    /// must stop like any other.
    /// </summary>
    Task<INeardProcess> StartAsync(NeardStartSpec spec, CancellationToken cancellationToken);
}

/// <summary>neard could not be started; the message is one line meant for the operator.</summary>
internal sealed class NeardStartException : Exception
{
    public NeardStartException(string message)
        : base(message)
    {
    }

    public NeardStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public NeardStartException()
    {
    }
}

/// <summary>
/// A start cancelled after neard was forked: <see cref="Process"/> exists (it may still be
/// setpriv, or already neard) and is the caller's to stop and confirm.
/// </summary>
internal sealed class NeardStartCancelledException : OperationCanceledException
{
    public NeardStartCancelledException(INeardProcess process, CancellationToken cancellationToken)
        : base($"the start of neard (pid {process.Pid}) was cancelled after the fork", cancellationToken)
    {
        Process = process;
    }

    public NeardStartCancelledException(string message)
        : base(message)
    {
    }

    public NeardStartCancelledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public NeardStartCancelledException()
    {
    }

    /// <summary>The forked process; null only when built by the standard constructors.</summary>
    public INeardProcess? Process { get; }
}
