using System.Diagnostics;
using Knd.Interop;

namespace Knd.Neard;

/// <summary>A neard child started by <see cref="NeardProcessLauncher"/>.</summary>
internal sealed class NeardProcess : INeardProcess
{
    private readonly Process _process;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public NeardProcess(Process process, string home, TimeProvider timeProvider, ILogger logger)
    {
        _process = process;
        _timeProvider = timeProvider;
        _logger = logger;
        Pid = process.Id;
        Home = home;
        _ = WatchExitAsync();
    }

    public int Pid { get; }

    public string Home { get; }

    public Task<int> Exited => _exited.Task;

    public bool Signal(int signal)
    {
        // Once reaped the pid may be reused, so a gone process is never signalled. .NET reaps
        // before completing Exited; the window in between is the one Process.Kill itself has.
        return !_exited.Task.IsCompleted && Libc.Kill(Pid, signal);
    }

    public async Task<NeardStopResult> StopAsync(TimeSpan termTimeout, TimeSpan killConfirmTimeout, CancellationToken cancellationToken)
    {
        if (_exited.Task.IsCompleted)
        {
            return NeardStopResult.AlreadyExited;
        }

        try
        {
            Signal(Libc.SigTerm);
            _logger.NeardSigtermSent(Pid, termTimeout.TotalMilliseconds);
            if (await WaitForExitAsync(termTimeout, cancellationToken))
            {
                return NeardStopResult.ExitedAfterTerm;
            }

            Signal(Libc.SigKill);
            _logger.NeardSigkillSent(Pid, termTimeout.TotalMilliseconds);
            if (await WaitForExitAsync(killConfirmTimeout, cancellationToken))
            {
                return NeardStopResult.Killed;
            }

            _logger.NeardStopNotConfirmed(Pid, killConfirmTimeout.TotalMilliseconds);
            return NeardStopResult.NotConfirmed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Signal(Libc.SigKill);
            throw;
        }
    }

    public void KillNow()
    {
        try
        {
            Signal(Libc.SigKill);
        }
        catch (InvalidOperationException)
        {
            // knd is about to die; the parent-death signal still takes neard down.
        }
    }

    public void Dispose()
    {
        // The Process object itself is disposed by the exit watcher once the child is reaped,
        // so the reaping (and Exited) still happens after this.
        try
        {
            if (Signal(Libc.SigKill))
            {
                _logger.NeardKilledOnDispose(Pid);
            }
        }
        catch (InvalidOperationException)
        {
            // Dispose runs on cleanup paths that cannot act on an error; the parent-death signal remains.
        }
    }

    private async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _exited.Task.WaitAsync(timeout, _timeProvider, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task WatchExitAsync()
    {
        // WaitForExitAsync completes only after .NET's SIGCHLD handler reaped the child, which is
        // the kernel's confirmation that the process (and its key) is gone.
        await _process.WaitForExitAsync(CancellationToken.None);
        var exitCode = _process.ExitCode;
        _process.Dispose();
        _logger.NeardExited(Pid, exitCode);
        _exited.TrySetResult(exitCode);
    }
}
