using System.Threading.Channels;
using Knd.Configuration;
using Knd.Interop;
using Knd.Neard;
using Knd.Production;

namespace Knd.Supervision;

/// <summary>
/// Performs the machine's neard actions one at a time, in the order they were issued, so a stop
/// issued after a key install can never overtake it. Each neard gets a health poller that feeds
/// /status samples back as events tagged with its generation.
/// </summary>
internal sealed class NeardDriver : INeardControl, IAsyncDisposable
{
    private int _disposed;
    private readonly KndRunOptions _options;
    private readonly FailoverTimings _timings;
    private readonly INeardProcessLauncher _launcher;
    private readonly NeardHome _home;
    private readonly Func<Uri, INeardRpc> _rpcFactory;
    private readonly Action<SupervisorEvent> _post;
    private readonly Action _onRpcError;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Action<Exception> _onWorkerFault;
    private readonly ChainObserver? _chainObserver;
    private readonly Channel<SupervisorAction> _queue = Channel.CreateUnbounded<SupervisorAction>(new() { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;
    private Running? _current;
    private volatile StartInProgress? _starting;
    private int _highestStopGeneration;

    /// <summary>Under memory pressure the kernel should pick neard, which knd restarts, over knd (kuutamod: 200 vs 100).</summary>
    internal const int NeardOomScoreAdj = 200;

    public NeardDriver(
        KndRunOptions options,
        FailoverTimings timings,
        INeardProcessLauncher launcher,
        NeardHome home,
        Func<Uri, INeardRpc> rpcFactory,
        Action<SupervisorEvent> post,
        Action onRpcError,
        TimeProvider timeProvider,
        ILogger logger,
        Action<Exception>? onWorkerFault = null,
        ChainObserver? chainObserver = null)
    {
        _chainObserver = chainObserver;
        _onRpcError = onRpcError;
        _onWorkerFault = onWorkerFault ?? CrashLoudly;
        _options = options;
        _timings = timings;
        _launcher = launcher;
        _home = home;
        _rpcFactory = rpcFactory;
        _post = post;
        _timeProvider = timeProvider;
        _logger = logger;
        _worker = Task.Run(WorkAsync);
    }

    /// <summary>The pid of the neard that runs now, if any.</summary>
    public int? CurrentPid => _current is { Process.Exited.IsCompleted: false } running ? running.Process.Pid : null;

    /// <summary>The RPC client of the current neard (maintenance and switchover read it).</summary>
    public INeardRpc? CurrentRpc => _current?.Rpc;

    /// <inheritdoc cref="INeardControl.CurrentGeneration"/>
    public int? CurrentGeneration => _current is { Process.Exited.IsCompleted: false } running ? running.Generation : null;

    /// <summary>
    /// Queues <paramref name="action"/>. A stop also pre-empts a start of its generation that is in
    /// progress (or still queued): the start is cancelled, so the stop never waits behind a slow start
    /// (stray kill, exec wait) that <see cref="FailoverTimings.FenceBound"/> does not count.
    /// </summary>
    public void Enqueue(SupervisorAction action)
    {
        _queue.Writer.TryWrite(action);
        if (action is StopNeardAction stop)
        {
            // Generations only grow; the start checks this after publishing itself, so either the
            // start sees the stop or the stop sees the start.
            InterlockedMax(ref _highestStopGeneration, stop.Generation);
            if (_starting is { } starting && starting.Generation <= stop.Generation)
            {
                starting.Preempt();
            }
        }
    }

    /// <summary>Last resort when knd must die now: SIGKILL the current neard without waiting. Never throws.</summary>
    public void KillNow() => _current?.Process.KillNow();

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var action in _queue.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                await PerformAsync(action, _stopping.Token);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // This worker is the only one that stops neard: without it every later stop (a fence's
            // among them) would be dropped while the session may expire under a signing neard.
            _logger.NeardWorkerFailed(e);
            _onWorkerFault(e);
        }
    }

    /// <summary>
    /// The daemon's answer to a worker fault: SIGKILL neard, then die so the service manager restarts
    /// knd (and the kernel's parent-death signal takes down anything the SIGKILL missed).
    /// </summary>
    private void CrashLoudly(Exception e)
    {
        KillNow();
        Environment.FailFast("knd: the neard worker failed: " + e.Message, e);
    }

    private async Task PerformAsync(SupervisorAction action, CancellationToken cancellationToken)
    {
        switch (action)
        {
            case StartNeardAction start:
                await StartAsync(start, cancellationToken);
                break;
            case StopNeardAction stop:
                await StopAsync(stop, cancellationToken);
                break;
            case InstallKeyAction install:
                InstallKey(install);
                break;
            case RemoveValidatorKeyAction:
                RemoveKey();
                break;
            case SetExpectedShutdownAction expected:
                expected.Done.TrySetResult(SetExpectedShutdown(expected.Height, expected.Generation));
                break;
        }
    }

    private async Task StartAsync(StartNeardAction start, CancellationToken cancellationToken)
    {
        using var preempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _starting = new StartInProgress(start.Generation, preempt);
        try
        {
            if (Volatile.Read(ref _highestStopGeneration) >= start.Generation)
            {
                // Stopped before it began: nothing to lay out or fork; the queued stop answers "not running".
                _logger.NeardStartPreempted(start.Generation, "before it began");
                return;
            }

            await StartCoreAsync(start, preempt.Token);
        }
        catch (NeardStartCancelledException cancelled) when (preempt.IsCancellationRequested && !cancellationToken.IsCancellationRequested && cancelled.Process is { } forked)
        {
            // Forked but not yet confirmed running: hand it to the queued stop, which stops and
            // confirms it like any neard. Not reported as started: the machine is already stopping it.
            _logger.NeardStartPreempted(start.Generation, $"after the fork (pid {forked.Pid})");
            var running = new Running(start.Generation, forked, null, new CancellationTokenSource());
            _current?.Dispose();
            _current = running;
            _ = WatchExitAsync(running);
        }
        catch (OperationCanceledException) when (preempt.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            _logger.NeardStartPreempted(start.Generation, "before the fork");
        }
        finally
        {
            _starting = null;
        }
    }

    private async Task StartCoreAsync(StartNeardAction start, CancellationToken cancellationToken)
    {
        try
        {
            // A maintenance height belongs to the neard it was set for; a new one starts without it.
            _home.SetExpectedShutdown(null);
            if (start.Mode == NeardMode.Voter)
            {
                var hotSwap = _options.Promotion == PromotionMode.HotSwap ? new HotSwapStandby(_options.AccountId, _options.PublicAddresses) : null;
                _home.PrepareVoter(_options.VoterNodeKey, _options.VoterNetworkAddr, hotSwap);
            }
            else
            {
                _home.PrepareValidator(_options.ValidatorKey, _options.ValidatorNodeKey, _options.ValidatorNetworkAddr, _options.PublicAddresses);
            }

            var rpc = _rpcFactory(_home.ReadRpcEndpoint());
            INeardProcess process;
            try
            {
                process = await _launcher.StartAsync(
                    new NeardStartSpec { NeardBin = _options.NeardBin, Home = _home.Path, BootNodes = _options.NeardBootnodes, OomScoreAdj = NeardOomScoreAdj },
                    cancellationToken);
            }
            catch
            {
                (rpc as IDisposable)?.Dispose();
                throw;
            }

            var running = new Running(start.Generation, process, rpc, new CancellationTokenSource());
            _current?.Dispose();
            _current = running;
            _logger.NeardStarted(start.Generation, process.Pid, start.Mode);
            _post(new NeardStartedEvent(start.Generation, process.Pid));
            _ = WatchExitAsync(running);
            var heads = _chainObserver?.Watch(rpc, running.Polling.Token);
            _ = PollHealthAsync(running, rpc, heads);
        }
        catch (Exception e) when (e is NeardStartException or NeardHomeException or IOException or UnauthorizedAccessException)
        {
            _logger.NeardStartFailed(e.Message);
            _post(new NeardStartFailedEvent(start.Generation, e.Message));
        }
    }

    private async Task WatchExitAsync(Running running)
    {
        var code = await running.Process.Exited.ConfigureAwait(false);
        await running.Polling.CancelAsync();
        if (running.StopReason is { } reason)
        {
            _logger.NeardExitedAsAsked(running.Generation, running.Process.Pid, code, reason);
        }
        else if (code == 0 && running.ExpectedShutdown is { } height)
        {
            _logger.NeardExitedAtExpectedShutdown(running.Generation, running.Process.Pid, height);
        }
        else
        {
            _logger.NeardExited(running.Generation, running.Process.Pid, code);
        }

        _post(new NeardExitedEvent(running.Generation, running.Process.Pid, code));
    }

    /// <summary>
    /// Polls /status until the process exits or knd stops. Nothing ends it early: a failed or
    /// malformed answer, and even an exception from a bug, is one failed sample, logged when the
    /// error changes; a poller that died would leave the machine without health samples. Each synced
    /// head goes on to the chain watch (<paramref name="heads"/>), which looks at the chain only when
    /// the head moved, so it costs no polling of its own.
    /// </summary>
    private async Task PollHealthAsync(Running running, INeardRpc rpc, Action<long>? heads)
    {
        var token = running.Polling.Token;
        string? lastError = null;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var sample = await PollOnceAsync(rpc, token);
                if (sample.Error is { } error)
                {
                    // A neard knd is stopping stops answering: that is the stop, not a fault.
                    if (!running.Process.Exited.IsCompleted && running.StopReason is null)
                    {
                        _onRpcError();
                        if (error != lastError)
                        {
                            _logger.HealthFailed(error);
                        }
                    }
                }

                lastError = sample.Error;
                _post(new StatusPolledEvent(running.Generation, sample));
                if (sample is { Error: null, Syncing: false, HeadHeight: { } head })
                {
                    heads?.Invoke(head);
                }

                await Task.Delay(_timings.HealthPollInterval, _timeProvider, token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // The process exited or knd is stopping.
                return;
            }
        }
    }

    private static async Task<NeardHealthSample> PollOnceAsync(INeardRpc rpc, CancellationToken token)
    {
        try
        {
            var result = await rpc.GetStatusAsync(token);
            return result.Value is { } status
                ? new NeardHealthSample(status.LatestBlockHeight, status.Syncing, status.ValidatorAccountId, null)
                : NeardHealthSample.Failed(result.Error?.ToString() ?? "no answer and no error");
        }
        catch (Exception e) when (!(e is OperationCanceledException && token.IsCancellationRequested))
        {
            return NeardHealthSample.Failed($"health poll failed unexpectedly: {e.GetType().Name}: {e.Message}");
        }
    }

    private async Task StopAsync(StopNeardAction stop, CancellationToken cancellationToken)
    {
        if (_current is not { } running || running.Generation != stop.Generation)
        {
            _post(new NeardStoppedEvent(stop.Generation, true, "not running"));
            return;
        }

        running.StopReason = stop.Reason;
        _logger.StoppingNeard(stop.Generation, stop.Reason);
        var result = await running.Process.StopAsync(_timings.NeardStopTimeout, _timings.NeardKillConfirmTimeout, cancellationToken);
        var confirmed = result != NeardStopResult.NotConfirmed;
        if (confirmed)
        {
            await running.Polling.CancelAsync();
            _logger.NeardStopped(stop.Generation, result.ToString());
        }
        else
        {
            _logger.NeardStopUnconfirmed(stop.Generation);
        }

        _post(new NeardStoppedEvent(stop.Generation, confirmed, result.ToString()));
    }

    private void InstallKey(InstallKeyAction install)
    {
        string? error = null;
        try
        {
            if (_current is not { } running || running.Generation != install.Generation || running.Process.Exited.IsCompleted)
            {
                error = "neard is not running";
            }
            else
            {
                _home.InstallValidatorKey(_options.ValidatorKey);
                if (!running.Process.Signal(Libc.SigHup))
                {
                    error = "neard exited before SIGHUP";
                }
                else
                {
                    _logger.KeyInstalled(running.Process.Pid);
                }
            }
        }
        catch (Exception e) when (e is NeardHomeException or IOException or UnauthorizedAccessException)
        {
            error = e.Message;
        }

        if (error is not null)
        {
            _logger.KeyInstallFailed(error);
        }

        _post(new KeyInstalledEvent(install.Generation, error));
    }

    /// <summary>Writes expected_shutdown and sends SIGHUP to the running neard; an error message, or null.</summary>
    private string? SetExpectedShutdown(long? height, int generation)
    {
        if (_current is not { } running || running.Process.Exited.IsCompleted)
        {
            return "neard is not running";
        }

        if (running.Generation != generation)
        {
            // The height was chosen for another neard (a restart came between): it must not carry over.
            return $"neard was replaced meanwhile (generation {running.Generation} runs, not {generation})";
        }

        try
        {
            _home.SetExpectedShutdown(height);
            running.ExpectedShutdown = height;
        }
        catch (Exception e) when (e is NeardHomeException or IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }

        return running.Process.Signal(Libc.SigHup) ? null : "neard exited before SIGHUP";
    }

    /// <summary>Queues <see cref="SetExpectedShutdownAction"/> behind the machine's own neard actions and waits for it.</summary>
    public async Task<string?> SetExpectedShutdownAsync(long? height, int generation, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(new SetExpectedShutdownAction(height, generation, done));
        return await done.Task.WaitAsync(cancellationToken);
    }

    private void RemoveKey()
    {
        try
        {
            if (_home.RemoveValidatorKey())
            {
                _logger.KeyRemoved();
            }
        }
        catch (Exception e) when (e is NeardHomeException or IOException or UnauthorizedAccessException)
        {
            // The next voter start lays out the home again and fails loudly if the key cannot go.
            _logger.KeyInstallFailed($"removing the validator key: {e.Message}");
        }
    }

    /// <summary>Idempotent: the supervisor disposes the driver when its loop ends, and the host's container again at exit.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        try
        {
            await _worker;
        }
        catch (OperationCanceledException)
        {
        }

        _current?.Dispose();
        _stopping.Dispose();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>The start the worker is performing, so a stop of its generation can cancel it.</summary>
    private sealed class StartInProgress(int generation, CancellationTokenSource preempt)
    {
        public int Generation => generation;

        public void Preempt()
        {
            try
            {
                preempt.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The start already ended.
            }
        }
    }

    /// <summary>A neard of one generation; <see cref="Rpc"/> is null for one whose start was pre-empted (never polled).</summary>
    private sealed class Running(int generation, INeardProcess process, INeardRpc? rpc, CancellationTokenSource polling) : IDisposable
    {
        public int Generation => generation;

        public INeardProcess Process => process;

        public INeardRpc? Rpc => rpc;

        public CancellationTokenSource Polling => polling;

        /// <summary>Why knd asked this neard to stop, once it has: its exit is then planned, not a fault.</summary>
        public string? StopReason { get; set; }

        /// <summary>The expected_shutdown height knd set on this neard (a maintenance stop), if any.</summary>
        public long? ExpectedShutdown { get; set; }

        public void Dispose()
        {
            // The poller and exit watcher may still touch the token source; cancel it, never dispose it.
            polling.Cancel();
            process.Dispose();
            (rpc as IDisposable)?.Dispose();
        }
    }
}
