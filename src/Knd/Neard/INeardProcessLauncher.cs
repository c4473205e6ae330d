namespace Knd.Neard;

/// <summary>Starts neard processes (the seam between the supervisor and real processes).</summary>
internal interface INeardProcessLauncher
{
    /// <summary>
    /// Kills any stray neard left on the same home by an earlier knd, then starts neard. The child
    /// is bound to knd's life (it is SIGKILLed by the kernel when knd dies). Throws
    /// <see cref="NeardStartException"/> with a one-line reason when it cannot start.
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
