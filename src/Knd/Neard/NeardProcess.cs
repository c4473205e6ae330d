using System.Diagnostics;
using CliWrap;
using Knd.Interop;

namespace Knd.Neard;

/// <summary>
/// A neard child started by <see cref="NeardProcessLauncher"/>, leader of its own session and
/// process group (setsid), whose id is its pid. Stops and kills go to the whole group, so whatever a
/// <c>--neard-bin</c> wrapper started goes too; <see cref="Signal"/> (SIGHUP for a reload) goes to
/// the main pid only. <see cref="Exited"/> completes when the main pid has been reaped and no live
/// process is left in the group, nor outside it with this neard's home marker (a child that left the
/// group by setsid or a double fork, which a stop by group alone would leave signing).
/// </summary>
internal sealed class NeardProcess : INeardProcess
{
    private readonly Process? _process;
    private readonly Task<CommandResult> _execution;
    private readonly TimeProvider _timeProvider;
    private readonly FailoverTimings _timings;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<IReadOnlyList<StrayNeard>> _findEscaped;
    private readonly HashSet<int> _escapedSeen = [];
    private volatile bool _stopping;
    private volatile bool _reaped;

    /// <summary>
    /// <paramref name="process"/>: a handle on the child that completes when its pid is reaped, or null
    /// if it was reaped before one could be taken; <paramref name="execution"/>: CliWrap's execution,
    /// which completes once the output pipes are drained too; <paramref name="timings"/>: the group poll,
    /// kill repeat and output drain (<see cref="FailoverTimings.NeardGroupPollInterval"/> and the two after it);
    /// <paramref name="findEscaped"/>: the live processes outside the group that carry this home's marker.
    /// </summary>
    public NeardProcess(int pid, Process? process, Task<CommandResult> execution, string home, TimeProvider timeProvider, FailoverTimings timings, ILogger logger, Func<IReadOnlyList<StrayNeard>>? findEscaped = null)
    {
        _findEscaped = findEscaped ?? (() => []);
        _timings = timings;
        _process = process;
        _execution = execution;
        _timeProvider = timeProvider;
        _logger = logger;
        Pid = pid;
        Home = home;
        _ = WatchExitAsync();
    }

    public int Pid { get; }

    /// <summary>neard's process group: its own pid, as setsid made it a session leader.</summary>
    public int ProcessGroupId => Pid;

    public string Home { get; }

    public Task<int> Exited => _exited.Task;

    /// <summary>
    /// To the main pid only: SIGHUP asks neard to reload; the other members of the group (a
    /// wrapper's helpers, a log pipe) would take it as a request to die.
    /// </summary>
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
            // From here the stop owns the SIGKILL: the group keeps its SIGTERM grace even if the main pid exits first.
            _stopping = true;
            SignalGroup(Libc.SigTerm);
            _logger.NeardSigtermSent(Pid, termTimeout.TotalMilliseconds);
            if (await WaitForExitAsync(termTimeout, cancellationToken))
            {
                return NeardStopResult.ExitedAfterTerm;
            }

            SignalGroup(Libc.SigKill);
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
            SignalGroup(Libc.SigKill);
            throw;
        }
    }

    public void KillNow()
    {
        try
        {
            SignalGroup(Libc.SigKill);
        }
        catch (InvalidOperationException)
        {
            // knd is about to die; the parent-death signal still takes the main process down.
        }
    }

    public void Dispose()
    {
        // The Process object itself is disposed by the exit watcher once the child is reaped,
        // so the reaping (and Exited) still happens after this.
        try
        {
            if (SignalGroup(Libc.SigKill))
            {
                _logger.NeardKilledOnDispose(Pid);
            }
        }
        catch (InvalidOperationException)
        {
            // Dispose runs on cleanup paths that cannot act on an error; the parent-death signal remains.
        }
    }

    /// <summary>
    /// kill(-pgid): false once the group is confirmed gone (it is then never signalled again). In the
    /// first microseconds after the fork, before setsid ran, there is no group yet: the process
    /// itself is signalled then (never once reaped, when its pid may belong to another process).
    /// </summary>
    private bool SignalGroup(int signal)
    {
        if (_exited.Task.IsCompleted)
        {
            return false;
        }

        var sent = Libc.KillGroup(ProcessGroupId, signal) || (!_reaped && Libc.Kill(Pid, signal));
        return SignalEscaped(signal) | sent;
    }

    /// <summary>
    /// The stop's signals reach what left the group too, with the same SIGTERM grace. False when there
    /// is none. One that cannot be signalled (EPERM) is logged; the exit then stays unconfirmed.
    /// </summary>
    private bool SignalEscaped(int signal)
    {
        var any = false;
        foreach (var escaped in _findEscaped())
        {
            any = true;
            lock (_escapedSeen)
            {
                if (_escapedSeen.Add(escaped.Pid))
                {
                    _logger.NeardEscapedGroup(Pid, escaped.Pid, string.Join(' ', escaped.CommandLine));
                }
            }

            try
            {
                Libc.Kill(escaped.Pid, signal);
            }
            catch (InvalidOperationException ex)
            {
                _logger.NeardEscapedKillFailed(Pid, escaped.Pid, ex.Message);
            }
        }

        return any;
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
        // The handle only tells when: a Process that did not start the child has no exit code, which
        // comes from CliWrap's result below.
        if (_process is not null)
        {
            await _process.WaitForExitAsync(CancellationToken.None);
            _process.Dispose();
        }

        _reaped = true;

        // What neard leaves in its group (a non-exec wrapper's neard, after the wrapper died of a
        // SIGHUP) is an orphan that may sign and holds the RPC port: it goes too, before the exit
        // counts. During a stop it is already on its way (SIGTERM, then the stop's SIGKILL).
        await KillLeftoversAsync();
        await KillEscapedAsync();

        // With the group gone the pipes close and neard's last lines reach the log before its exit
        // does; bounded, since a process that left the group (setsid of its own) may still hold them.
        var exitCode = (await DrainOutputAsync())?.ExitCode;
        if (exitCode is null)
        {
            _logger.NeardExitCodeUnknown(Pid);
        }

        _logger.NeardExited(Pid, exitCode ?? -1);
        _exited.TrySetResult(exitCode ?? -1);
    }

    private async Task<CommandResult?> DrainOutputAsync()
    {
        try
        {
            return await _execution.WaitAsync(_timings.NeardOutputDrainTimeout, _timeProvider, CancellationToken.None);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException or IOException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Waits until nothing that left neard's group is alive. Outside a stop (neard crashed, or a
    /// wrapper exited) whatever is left is SIGKILLed, as <see cref="KillLeftoversAsync"/> does for the
    /// group; during a stop the stop's own signals deal with it. Never gives up: an escaped process
    /// that cannot be killed keeps the exit unconfirmed, so the lock is never given up under it.
    /// </summary>
    private async Task KillEscapedAsync()
    {
        var lastKill = (long?)null;
        while (true)
        {
            if (_stopping || (lastKill is not null && _timeProvider.GetElapsedTime(lastKill.Value) < _timings.NeardGroupKillRepeat))
            {
                if (_findEscaped().Count == 0)
                {
                    return;
                }
            }
            else
            {
                if (!SignalEscaped(Libc.SigKill))
                {
                    return;
                }

                lastKill = _timeProvider.GetTimestamp();
            }

            await Task.Delay(_timings.NeardGroupPollInterval, _timeProvider, CancellationToken.None);
        }
    }

    private async Task KillLeftoversAsync()
    {
        var logged = false;
        var lastKill = (long?)null;
        while (true)
        {
            try
            {
                if (!ProcessGroup.HasLiveMembers(ProcessGroupId))
                {
                    return;
                }

                if (!_stopping && (lastKill is null || _timeProvider.GetElapsedTime(lastKill.Value) >= _timings.NeardGroupKillRepeat))
                {
                    Libc.KillGroup(ProcessGroupId, Libc.SigKill);
                    lastKill = _timeProvider.GetTimestamp();
                }

                if (!logged && !_stopping)
                {
                    logged = true;
                    _logger.NeardGroupLeftover(Pid);
                }
            }
            catch (InvalidOperationException ex)
            {
                // Not ours to kill (EPERM): the exit stays unconfirmed, so the lock is never given up under it.
                if (!logged)
                {
                    logged = true;
                    _logger.NeardGroupKillFailed(Pid, ex.Message);
                }
            }

            await Task.Delay(_timings.NeardGroupPollInterval, _timeProvider, CancellationToken.None);
        }
    }
}
