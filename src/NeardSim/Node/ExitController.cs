namespace NeardSim.Node;

/// <summary>Collects the one reason the process ends (expected shutdown, SIGTERM, crash faults); the first wins.</summary>
internal sealed class ExitController
{
    private readonly TaskCompletionSource<ExitRequest> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsRequested => _exit.Task.IsCompleted;

    public Task<ExitRequest> Requested => _exit.Task;

    /// <summary>Returns false when an exit was already requested.</summary>
    public bool Request(int exitCode, string reason, bool immediate = false) =>
        _exit.TrySetResult(new ExitRequest(exitCode, reason, immediate));
}

/// <summary>An exit code, why, and whether to skip the graceful RPC stop (a simulated crash).</summary>
internal sealed record ExitRequest(int ExitCode, string Reason, bool Immediate);
