using Knd.Interop;

namespace Knd.Localnet;

/// <summary>Kills, stops and freezes, as a service manager (and the chaos benchmark) does them.</summary>
internal sealed partial class DaemonUnit
{
    private static readonly TimeSpan KillConfirmTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private IReadOnlyList<ProcStat> _tree = [];

    /// <summary>The processes below knd (its neard) at the last refresh.</summary>
    public IReadOnlyList<ProcStat> Tree => Volatile.Read(ref _tree);

    /// <summary>Re-reads the processes below knd from /proc, so a kill finds every one of them even after knd is gone.</summary>
    public async Task RefreshTreeAsync(CancellationToken cancellationToken)
    {
        if (await _gate.WaitAsync(0, cancellationToken))
        {
            try
            {
                RefreshTreeLocked();
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    /// <summary>The whole host dies: knd and everything below it, SIGKILL; nothing restarts it until <see cref="StartAsync"/>.</summary>
    public async Task KillHostAsync(CancellationToken cancellationToken) =>
        await LockedAsync(() => KillGroupLockedAsync("host killed", UnitState.HostDown), cancellationToken);

    /// <summary>SIGKILL knd alone; its neard must die by the parent-death signal. The manager then restarts knd.</summary>
    public Task KillKndAsync(CancellationToken cancellationToken) => SignalKndAsync(Libc.SigKill, cancellationToken);

    /// <summary>SIGTERM knd alone, as <c>systemctl restart</c> does; the manager restarts knd once it has exited.</summary>
    public Task TerminateKndAsync(CancellationToken cancellationToken) => SignalKndAsync(Libc.SigTerm, cancellationToken);

    private async Task SignalKndAsync(int signal, CancellationToken cancellationToken) =>
        await LockedAsync(
            () =>
            {
                RefreshTreeLocked();
                if (Pid is { } pid)
                {
                    Libc.Kill(pid, signal);
                }

                return Task.CompletedTask;
            },
            cancellationToken);

    /// <summary>SIGSTOP knd: a frozen daemon that the watchdog must catch.</summary>
    public async Task FreezeAsync(CancellationToken cancellationToken) =>
        await LockedAsync(
            () =>
            {
                if (Pid is { } pid && Libc.Kill(pid, Libc.SigStop))
                {
                    Frozen = true;
                }

                return Task.CompletedTask;
            },
            cancellationToken);

    /// <summary>SIGTERM, then after the stop timeout SIGKILL to everything left; no restart.</summary>
    public async Task StopAsync(CancellationToken cancellationToken) =>
        await LockedAsync(
            async () =>
            {
                if (State != UnitState.Running)
                {
                    State = State is UnitState.Failed ? UnitState.Failed : UnitState.Stopped;
                    await KillTreeAsync([.. Tree]);
                    return;
                }

                State = UnitState.Stopping;
                RefreshTreeLocked();
                Libc.Kill(_process!.Id, Libc.SigCont);
                Libc.Kill(_process.Id, Libc.SigTerm);
                var finished = await Task.WhenAny(_exited.Task, Task.Delay(Settings.StopTimeout, _time, CancellationToken.None));
                if (finished != _exited.Task)
                {
                    await KillGroupLockedAsync($"knd did not stop within {Settings.StopTimeout.TotalSeconds:0} s of SIGTERM", UnitState.Stopped);
                    return;
                }

                WriteLogMarker($"knd stopped (exit code {_exited.Task.Result})");
                await KillTreeAsync([.. Tree]);
                State = UnitState.Stopped;
            },
            cancellationToken);

    private async Task LockedAsync(Func<Task> action, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await action();
        }
        finally
        {
            _gate.Release();
        }
    }

    private void RefreshTreeLocked()
    {
        if (Pid is { } pid)
        {
            Volatile.Write(ref _tree, ProcFs.Descendants(pid));
        }
    }

    private async Task OnUnexpectedExitAsync(int code)
    {
        WriteLogMarker($"knd exited with code {code}");
        var orphans = await WaitForTreeAsync(Settings.OrphanGrace);
        if (orphans.Count > 0)
        {
            Orphans += orphans.Count;
            _report($"{NodeId}: {Describe(orphans)} still running {Settings.OrphanGrace.TotalSeconds:0.#} s after knd died: killed (KillMode=control-group)");
            await KillTreeAsync(orphans);
        }

        if (code == 78)
        {
            State = UnitState.Failed;
            FailureReason = LastErrorLine() ?? "knd refused its configuration (exit 78)";
            _report($"{NodeId}: {FailureReason}");
            return;
        }

        State = UnitState.Restarting;
        _restartAt = _time.GetTimestamp() + (long)(Settings.RestartDelay.TotalSeconds * _time.TimestampFrequency);
        _report($"{NodeId}: knd exited (code {code}); restarting in {Settings.RestartDelay.TotalSeconds:0.#} s");
    }

    private async Task KillGroupLockedAsync(string why, UnitState next)
    {
        State = next;
        RefreshTreeLocked();
        var knd = _process is { } process && !_exited.Task.IsCompleted ? process.Id : (int?)null;
        var tree = Tree.ToList();
        var what = knd is { } killed ? $"SIGKILL knd (pid {killed})" + (tree.Count > 0 ? $" and {Describe(tree)}" : string.Empty) : "knd was not running";
        if (knd is { } pid)
        {
            Libc.Kill(pid, Libc.SigKill);
        }

        await KillTreeAsync(tree);
        await Task.WhenAny(_exited.Task, Task.Delay(KillConfirmTimeout, _time, CancellationToken.None));
        WriteLogMarker($"{why}: {what}");
        if (next == UnitState.Restarting)
        {
            _restartAt = _time.GetTimestamp() + (long)(Settings.RestartDelay.TotalSeconds * _time.TimestampFrequency);
            _report($"{NodeId}: {why}: {what}; restarting in {Settings.RestartDelay.TotalSeconds:0.#} s");
        }
        else if (next == UnitState.HostDown)
        {
            _report($"{NodeId}: {why}: {what}");
        }
    }

    /// <summary>Waits up to <paramref name="grace"/> for the recorded tree to die on its own; returns what still runs.</summary>
    private async Task<List<ProcStat>> WaitForTreeAsync(TimeSpan grace)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            var alive = Tree.Where(p => ProcFs.IsRunning(p.Id)).ToList();
            if (alive.Count == 0 || _time.GetElapsedTime(started) >= grace)
            {
                return alive;
            }

            await Task.Delay(PollInterval, _time, CancellationToken.None);
        }
    }

    private async Task KillTreeAsync(IReadOnlyList<ProcStat> tree)
    {
        foreach (var process in tree.Where(p => ProcFs.IsRunning(p.Id)))
        {
            Libc.Kill(process.Pid, Libc.SigKill);
        }

        var started = _time.GetTimestamp();
        while (tree.Any(p => ProcFs.IsRunning(p.Id)) && _time.GetElapsedTime(started) < KillConfirmTimeout)
        {
            await Task.Delay(PollInterval, _time, CancellationToken.None);
        }
    }

    private static string Describe(IReadOnlyList<ProcStat> processes) =>
        string.Join(", ", processes.Select(p => $"{Name(p.Pid)} (pid {p.Pid})"));

    private static string Name(int pid)
    {
        var command = ProcFs.CommandLine(pid).Split(' ')[0];
        return command.Length == 0 ? "process" : Path.GetFileName(command);
    }
}
