using Knd.Control;
using Knd.Neard;
using Knd.Supervision;

namespace Knd.Maintenance;

/// <summary>
/// <c>knd maintenance-shutdown|restart</c> on this host. A passive acts at once (it has no duties).
/// The leader picks a height in a duty-free window, writes it as neard's <c>expected_shutdown</c>
/// (config.json + SIGHUP), confirms that neard applied it (<c>near_config_reloads_total</c> rose),
/// and tells the machine, which hands leadership over the moment neard stops at that height.
/// </summary>
internal sealed class MaintenanceCoordinator
{
    private readonly string _accountId;
    private readonly TimeSpan _reloadConfirmTimeout;
    private readonly TimeSpan _reloadPollInterval;
    private readonly SupervisorStatus _status;
    private readonly ISupervisorInbox _inbox;
    private readonly INeardControl _neard;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private MaintenanceStatus? _last;

    public MaintenanceCoordinator(
        string accountId,
        SupervisorStatus status,
        ISupervisorInbox inbox,
        INeardControl neard,
        FailoverTimings? timings = null)
    {
        _accountId = accountId;
        _reloadConfirmTimeout = (timings ?? FailoverTimings.Defaults).MaintenanceReloadConfirmTimeout;
        _reloadPollInterval = (timings ?? FailoverTimings.Defaults).MaintenanceReloadPollInterval;
        _status = status;
        _inbox = inbox;
        _neard = neard;
    }

    public MaintenanceStatus Status()
    {
        var snapshot = _status.Snapshot;
        if (snapshot?.Maintenance is { } kind && snapshot.MaintenanceHeight is { } height)
        {
            var current = snapshot.BlockHeight;
            return new MaintenanceStatus(kind, height, current, _last?.WindowStart, _last?.WindowEnd, Describe(kind, height, current));
        }

        return new MaintenanceStatus(null, null, snapshot?.BlockHeight, null, null, "no maintenance scheduled");
    }

    public async Task<ControlOutcome<MaintenanceStatus>> ScheduleAsync(MaintenanceRequest request, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return request.Cancel ? await CancelAsync(cancellationToken) : await ScheduleLockedAsync(request, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ControlOutcome<MaintenanceStatus>> ScheduleLockedAsync(MaintenanceRequest request, CancellationToken cancellationToken)
    {
        var snapshot = _status.Snapshot;
        if (snapshot is not { IsLeader: true })
        {
            _inbox.Post(new MaintenanceNowEvent(request.Kind));
            var what = request.Kind == MaintenanceKind.Shutdown ? "stopping neard and knd now" : "restarting neard now";
            return ControlOutcome<MaintenanceStatus>.Success(new MaintenanceStatus(request.Kind, null, snapshot?.BlockHeight, null, null, $"this node is passive (no duties): {what}"));
        }

        if (snapshot.Maintenance is not null)
        {
            return ControlOutcome<MaintenanceStatus>.Refused($"a maintenance is already scheduled at height {snapshot.MaintenanceHeight}; cancel it first with --cancel");
        }

        if (_neard.CurrentRpc is not { } rpc)
        {
            return ControlOutcome<MaintenanceStatus>.Refused("neard is not running");
        }

        var status = await rpc.GetStatusAsync(cancellationToken);
        var windows = await rpc.GetMaintenanceWindowsAsync(_accountId, cancellationToken);
        if (!status.TryGetValue(out var neard, out _) || !windows.TryGetValue(out var ranges, out _))
        {
            return ControlOutcome<MaintenanceStatus>.Refused($"cannot read neard's head and maintenance windows: {status.Error ?? windows.Error}");
        }

        var head = neard.LatestBlockHeight;
        var target = new MaintenanceTarget(request.MinimumLength is > 0 ? request.MinimumLength : null, request.ShutdownAt);
        var choice = MaintenanceWindowChooser.Choose(head, ranges, target, epochEnd: null);
        if (choice.Refusal is { } refusal)
        {
            return ControlOutcome<MaintenanceStatus>.Refused(refusal);
        }

        var height = choice.ShutdownAt!.Value;
        if (await ApplyAsync(rpc, height, cancellationToken) is { } failed)
        {
            return ControlOutcome<MaintenanceStatus>.Refused(failed);
        }

        _inbox.Post(new MaintenanceScheduledEvent(request.Kind, height, snapshot.NeardGeneration, snapshot.FencingIndex ?? 0));
        _last = new MaintenanceStatus(request.Kind, height, head, choice.Window?.Start, choice.Window?.End, Describe(request.Kind, height, head));
        return ControlOutcome<MaintenanceStatus>.Success(_last);
    }

    private async Task<ControlOutcome<MaintenanceStatus>> CancelAsync(CancellationToken cancellationToken)
    {
        var snapshot = _status.Snapshot;
        if (snapshot?.Maintenance is null)
        {
            return ControlOutcome<MaintenanceStatus>.Success(new MaintenanceStatus(null, null, snapshot?.BlockHeight, null, null, "no maintenance scheduled; nothing to cancel"));
        }

        if (_neard.CurrentRpc is not { } rpc)
        {
            return ControlOutcome<MaintenanceStatus>.Refused("neard is not running");
        }

        if (await ApplyAsync(rpc, null, cancellationToken) is { } failed)
        {
            return ControlOutcome<MaintenanceStatus>.Refused(failed);
        }

        _inbox.Post(new MaintenanceCancelledEvent());
        _last = null;
        return ControlOutcome<MaintenanceStatus>.Success(new MaintenanceStatus(null, null, snapshot.BlockHeight, null, null, "shutdown cancelled"));
    }

    /// <summary>Writes expected_shutdown, sends SIGHUP and waits until neard counts the reload. Returns an error or null.</summary>
    private async Task<string?> ApplyAsync(INeardRpc rpc, long? height, CancellationToken cancellationToken)
    {
        var before = await rpc.GetMetricsAsync(cancellationToken);
        if (before.Value?.ConfigReloadsTotal is not { } reloadsBefore)
        {
            return "neard does not report near_config_reloads_total, so a reload cannot be confirmed";
        }

        if (await _neard.SetExpectedShutdownAsync(height, cancellationToken) is { } error)
        {
            return $"could not set expected_shutdown: {error}";
        }

        var time = _status.Clock.TimeProvider;
        var started = time.GetTimestamp();
        while (time.GetElapsedTime(started) < _reloadConfirmTimeout)
        {
            var after = await rpc.GetMetricsAsync(cancellationToken);
            if (after.Value?.ConfigReloadsTotal > reloadsBefore)
            {
                return null;
            }

            await Task.Delay(_reloadPollInterval, time, cancellationToken);
        }

        // neard did not apply it (a parse error leaves the counter): take the setting back out.
        await _neard.SetExpectedShutdownAsync(null, cancellationToken);
        return $"neard did not confirm the reload within {_reloadConfirmTimeout.TotalSeconds:0}s (near_config_reloads_total did not rise)";
    }

    private static string Describe(MaintenanceKind kind, long height, long? current) =>
        $"{(kind == MaintenanceKind.Shutdown ? "shutdown" : "restart")} at height {height}" + (current is { } c ? $", current height {c}, in {height - c} blocks" : string.Empty);
}
