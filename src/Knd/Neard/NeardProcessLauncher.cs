using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using CliWrap;
using Knd.Interop;

namespace Knd.Neard;

/// <summary>
/// Child-process control for neard: CliWrap builds and starts the command (arguments, environment,
/// neard's output piped line by line into knd's log), kill(2) stops its process group. Starts neard bound to knd's life: through util-linux setpriv (see <see cref="SetprivExec"/>),
/// so the kernel SIGKILLs neard when its parent goes away, even if knd is SIGKILLed or crashes,
/// and through util-linux setsid, so neard leads a process group of its own that knd stops as a
/// whole. Both are looked up on PATH once, at construction; without them no neard starts, since a
/// neard that could outlive knd (or leave a child behind) could keep signing after another host took over.
/// <para>
/// Linux ties that "parent" to the thread that forked, not the process, and .NET's Process.Start
/// forks on the calling thread (CliWrap's ExecuteAsync starts the process before it returns, on the
/// caller's thread). A thread-pool thread can retire at any time and would take neard
/// with it, so every child is forked from one dedicated thread that lives as long as the launcher.
/// Disposing the launcher ends that thread, and with it (by the same kernel mechanism) every
/// neard it started: dispose it last, at knd's exit.
/// </para>
/// </summary>
internal sealed class NeardProcessLauncher : INeardProcessLauncher, IDisposable
{
    private readonly BlockingCollection<StartRequest> _requests = [];
    private readonly ConcurrentDictionary<int, NeardProcess> _running = new();
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private readonly ILogger _logger;
    private readonly NeardOutput _output;
    private readonly TimeProvider _timeProvider;
    private readonly StrayNeardReaper _strayReaper;
    private readonly TimeSpan _strayKillConfirmTimeout;
    private readonly FailoverTimings _timings;
    private readonly string? _searchPath;
    private readonly string? _setprivPath;
    private readonly string? _setsidPath;

    /// <summary>
    /// <paramref name="strayKillConfirmTimeout"/>: how long a stray neard may take to die after SIGKILL.
    /// <paramref name="searchPath"/>: the PATH to find setpriv and a bare neard name in; null means knd's PATH.
    /// <paramref name="neardLogger"/>: where neard's own output lines go; null means <paramref name="logger"/>.
    /// <paramref name="timings"/>: the exec wait and the process-group polls; null means <see cref="FailoverTimings.Defaults"/>.
    /// </summary>
    public NeardProcessLauncher(ILogger logger, TimeProvider timeProvider, TimeSpan strayKillConfirmTimeout, string? searchPath = null, StrayNeardReaper? strayReaper = null, ILogger? neardLogger = null, FailoverTimings? timings = null)
    {
        _timings = timings ?? FailoverTimings.Defaults;
        _logger = logger;
        _output = NeardOutput.ToLog(neardLogger ?? logger);
        _timeProvider = timeProvider;
        _strayKillConfirmTimeout = strayKillConfirmTimeout;
        _searchPath = searchPath ?? Environment.GetEnvironmentVariable("PATH");
        _setprivPath = ExecutableResolver.Resolve("setpriv", _searchPath);
        _setsidPath = ExecutableResolver.Resolve("setsid", _searchPath);
        _strayReaper = strayReaper ?? new StrayNeardReaper(logger, timeProvider, timings: _timings);
        var thread = new Thread(RunForkThread) { IsBackground = true, Name = "neard-launcher" };
        thread.Start();
    }

    /// <summary>The neard processes started here that have not exited yet.</summary>
    public IReadOnlyCollection<INeardProcess> Running => [.. _running.Values.Where(p => !p.Exited.IsCompleted)];

    public async Task<INeardProcess> StartAsync(NeardStartSpec spec, CancellationToken cancellationToken)
    {
        // One start at a time, so two starts on one home cannot both pass the checks below.
        await _startLock.WaitAsync(cancellationToken);
        try
        {
            return await StartLockedAsync(spec, cancellationToken);
        }
        finally
        {
            _startLock.Release();
        }
    }

    // The queue and the lock are not disposed: the fork thread may still be draining the queue.
    public void Dispose() => _requests.CompleteAdding();

    private async Task<INeardProcess> StartLockedAsync(NeardStartSpec spec, CancellationToken cancellationToken)
    {
        var setpriv = _setprivPath
            ?? throw new NeardStartException("cannot start neard: setpriv (util-linux) is not on PATH; knd needs it to bind neard's life to its own (parent-death signal)");
        var setsid = _setsidPath
            ?? throw new NeardStartException("cannot start neard: setsid (util-linux) is not on PATH; knd needs it to give neard a process group of its own, which it stops as a whole");
        var neardBin = ExecutableResolver.Resolve(spec.NeardBin, _searchPath)
            ?? throw new NeardStartException($"cannot start neard: '{spec.NeardBin}' is not an executable file and was not found on PATH");
        var home = Path.GetFullPath(spec.Home);
        if (!Directory.Exists(home))
        {
            throw new NeardStartException($"cannot start neard: its home {home} does not exist");
        }

        if (Running.FirstOrDefault(p => p.Home == home) is { } running)
        {
            throw new NeardStartException($"cannot start neard: the one started earlier on {home} (pid {running.Pid}) is still running");
        }

        // Our running neards lead their groups: their pids are the groups to spare.
        var strays = _strayReaper.Find(neardBin, home, _running.Keys.ToHashSet());
        await _strayReaper.KillAsync(strays, _strayKillConfirmTimeout, cancellationToken);

        var command = SetprivExec.CreateCommand(setsid, setpriv, neardBin, spec with { Home = home }, _output);
        var request = new StartRequest(command);
        try
        {
            _requests.Add(request, cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            throw new NeardStartException("cannot start neard: knd is shutting down", ex);
        }

        Forked started;
        try
        {
            // The fork itself is not cancellable (it takes milliseconds); what it forked is handed
            // back on cancellation below, to someone who can stop it.
            started = await request.Completion.Task;
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
        {
            _logger.NeardStartFailed(neardBin, home, ex.Message);
            throw new NeardStartException($"cannot start neard ({neardBin} on {home}): {ex.Message}", ex);
        }

        var process = new NeardProcess(started.Pid, started.Handle, started.Execution, home, _timeProvider, _timings, _logger,
            () => _strayReaper.FindEscaped(home, started.Pid));
        _running[process.Pid] = process;
        _ = process.Exited.ContinueWith(_ => _running.TryRemove(KeyValuePair.Create(process.Pid, process)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        bool execed;
        try
        {
            execed = await SetprivExec.WaitForExecAsync(process, [setsid, setpriv], _timeProvider, _timings, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new NeardStartCancelledException(process, cancellationToken);
        }

        if (!execed)
        {
            process.Dispose();
            throw new NeardStartException($"cannot start neard: setsid/setpriv (pid {process.Pid}) did not exec {neardBin} within {_timings.NeardExecTimeout.TotalSeconds:0}s");
        }

        if (Libc.GetProcessGroup(process.Pid) is { } pgid && pgid != process.Pid)
        {
            // Stops go to the group: a neard outside a group of its own could not be stopped as one.
            process.Signal(Libc.SigKill);
            throw new NeardStartException($"cannot start neard: setsid did not make it a process group leader (pid {process.Pid}, group {pgid})");
        }

        if (spec.OomScoreAdj is { } oomScoreAdj && OomScore.TrySet(process.Pid, oomScoreAdj) is { } oomError)
        {
            _logger.NeardOomScoreNotSet(process.Pid, oomError);
        }

        _logger.NeardStarted(process.Pid, neardBin, string.Join(' ', spec.Arguments));
        return process;
    }

    private void RunForkThread()
    {
        foreach (var request in _requests.GetConsumingEnumerable())
        {
            try
            {
                // The fork happens inside ExecuteAsync, on this thread.
                var execution = request.Command.ExecuteAsync(CancellationToken.None);
                request.Completion.SetResult(new Forked(execution.ProcessId, WaitHandleOf(execution.ProcessId), execution.Task));
            }
            catch (Exception ex)
            {
                request.Completion.SetException(ex);
            }
        }
    }

    /// <summary>
    /// A second handle on the child, which .NET ties to the same wait state as CliWrap's: it tells
    /// when the main pid is reaped, whether or not a leftover of its group still holds the output
    /// pipes (CliWrap's task waits for those). Null if the child was already reaped.
    /// </summary>
    private static Process? WaitHandleOf(int pid)
    {
        try
        {
            return Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private sealed record StartRequest(Command Command)
    {
        public TaskCompletionSource<Forked> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record Forked(int Pid, Process? Handle, Task<CommandResult> Execution);
}
