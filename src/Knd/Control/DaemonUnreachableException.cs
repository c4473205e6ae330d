namespace Knd.Control;

/// <summary>Why the control socket gave no answer.</summary>
internal enum UnreachableReason
{
    /// <summary>No file at the path (knd is not running, or removed its socket on exit).</summary>
    Missing,

    /// <summary>A socket file nobody listens on (knd exited without removing it).</summary>
    Refused,

    /// <summary>Connected, but no answer in time (knd hangs, or is very busy).</summary>
    TimedOut,

    /// <summary>The connection broke before the answer (knd exiting, or crashing).</summary>
    Broken,

    /// <summary>Anything else: permission denied, not a socket...</summary>
    Other,
}

/// <summary>The daemon's control socket could not be reached (CLI exit code 3); the message names the path and why.</summary>
internal sealed class DaemonUnreachableException : Exception
{
    public DaemonUnreachableException(UnreachableReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    public DaemonUnreachableException()
    {
    }

    public DaemonUnreachableException(string message)
        : base(message)
    {
    }

    public DaemonUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UnreachableReason Reason { get; } = UnreachableReason.Other;

    /// <summary>Nothing serves the socket any more: what <c>maintenance-shutdown --wait</c> waits for.</summary>
    public bool DaemonGone => Reason is UnreachableReason.Missing or UnreachableReason.Refused;
}
