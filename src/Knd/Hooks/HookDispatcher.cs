using System.Threading.Channels;
using Knd.Configuration;

namespace Knd.Hooks;

/// <summary>
/// The supervisor's side of the hooks. Role changes are queued and run one at a time, in order, on a
/// worker of their own: the supervision loop only enqueues, so a hook never delays the fence, the stop
/// of neard or the lock release. While one runs, newer changes wait (at most <see cref="QueueCapacity"/>;
/// when more come, the oldest waiting one is dropped, logged and counted, so the latest role is always
/// told). The pre-promote hook runs at once, beside any role-change hook, and answers the machine with
/// a <see cref="PrePromoteFinishedEvent"/>.
/// </summary>
internal sealed class HookDispatcher : IAsyncDisposable
{
    /// <summary>Role changes that may wait behind a running hook: a flapping node's few latest changes, not an unbounded backlog.</summary>
    public const int QueueCapacity = 8;

    private readonly IHookRunner _runner;
    private readonly HookSettings _settings;
    private readonly TimeSpan _exitDrainLimit;
    private readonly string _nodeId;
    private readonly string _accountId;
    private readonly Action<SupervisorEvent> _post;
    private readonly Action<string, string, TimeSpan> _observe;
    private readonly ILogger _logger;
    private readonly RoleTracker _roles = new();
    private readonly Channel<RoleChange> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;
    private int _disposed;

    /// <summary>Starts the role-change worker. <paramref name="observe"/> counts one run: hook label, outcome label, duration (<c>KndMetrics.ObserveHook</c>).</summary>
    public HookDispatcher(IHookRunner runner, HookSettings settings, string nodeId, string accountId, Action<SupervisorEvent> post, Action<string, string, TimeSpan> observe, ILogger logger, FailoverTimings? timings = null)
    {
        _exitDrainLimit = (timings ?? FailoverTimings.Defaults).HookExitDrainLimit;
        _runner = runner;
        _settings = settings;
        _nodeId = nodeId;
        _accountId = accountId;
        _post = post;
        _observe = observe;
        _logger = logger;
        _queue = Channel.CreateBounded<RoleChange>(
            new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped =>
            {
                _logger.RoleChangeDropped(dropped.OldRole, dropped.Role, dropped.Reason, QueueCapacity);
                _observe(ProcessHookRunner.HookName(HookKind.OnRoleChange), "dropped", TimeSpan.Zero);
            });
        _worker = Task.Run(() => RunRoleHooksAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>The role as last seen (for tests and logs).</summary>
    public string Role => _roles.Role;

    /// <summary>Called by the supervision loop after each event; only enqueues, never waits.</summary>
    public void Observe(SupervisorState state, bool hasValidatorRole, DemotionReason? lastDemotion)
    {
        if (_roles.Observe(state, hasValidatorRole, lastDemotion) is { } change && _settings.OnRoleChange is not null)
        {
            _logger.RoleChanged(change.OldRole, change.Role, change.Reason);
            _queue.Writer.TryWrite(change);
        }
    }

    /// <summary>Starts the pre-promote hook in the background; its result comes back to the machine as an event.</summary>
    public void RunPrePromote(RunPrePromoteAction action)
    {
        if (_settings.PrePromote is not { } command)
        {
            _post(new PrePromoteFinishedEvent(action.Attempt, true, "no --pre-promote hook"));
            return;
        }

        _ = Task.Run(
            async () =>
            {
                var result = await RunAsync(new HookInvocation(HookKind.PrePromote, command, HookEnvironment.ForPrePromote(_nodeId, _accountId), _settings.Timeout), _stopping.Token);
                if (result is null)
                {
                    return;
                }

                if (result.Outcome != HookOutcome.Ok)
                {
                    _logger.PrePromoteVetoed(result.Describe());
                }

                _post(new PrePromoteFinishedEvent(action.Attempt, result.Outcome == HookOutcome.Ok, result.Describe()));
            },
            CancellationToken.None);
    }

    /// <summary>
    /// At knd's exit (neard stopped, lock released): lets the queued role-change hooks (the last
    /// one says <c>stopped</c>) finish within <c>--hook-timeout</c> and <see cref="FailoverTimings.HookExitDrainLimit"/>, then kills what still runs.
    /// </summary>
    public async Task DrainAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _worker.WaitAsync(_settings.Timeout < _exitDrainLimit ? _settings.Timeout : _exitDrainLimit, CancellationToken.None);
        }
        catch (TimeoutException)
        {
        }

        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
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

        _stopping.Dispose();
    }

    private async Task RunRoleHooksAsync(CancellationToken cancellationToken)
    {
        await foreach (var change in _queue.Reader.ReadAllAsync(cancellationToken))
        {
            var variables = HookEnvironment.ForRoleChange(_nodeId, _accountId, change.Role, change.OldRole, change.Reason);
            await RunAsync(new HookInvocation(HookKind.OnRoleChange, _settings.OnRoleChange!, variables, _settings.Timeout), cancellationToken);
        }
    }

    /// <summary>Runs one hook, logs and counts how it ended; null when knd is stopping and killed it.</summary>
    private async Task<HookResult?> RunAsync(HookInvocation invocation, CancellationToken cancellationToken)
    {
        var hook = ProcessHookRunner.HookName(invocation.Kind);
        HookResult result;
        try
        {
            result = await _runner.RunAsync(invocation, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        switch (result.Outcome)
        {
            case HookOutcome.Ok:
                _logger.HookSucceeded(hook, result.Duration.TotalMilliseconds);
                break;
            case HookOutcome.Failed:
                _logger.HookFailed(hook, result.ExitCode, result.Duration.TotalMilliseconds);
                break;
            case HookOutcome.Timeout:
                _logger.HookTimedOut(hook, invocation.Timeout.TotalMilliseconds);
                break;
            default:
                _logger.HookStartFailed(hook, result.Error ?? "unknown");
                break;
        }

        _observe(hook, SnakeCaseOutcome(result.Outcome), result.Duration);
        return result;
    }

    private static string SnakeCaseOutcome(HookOutcome outcome) => RoleTracker.Label(outcome.ToString());
}
