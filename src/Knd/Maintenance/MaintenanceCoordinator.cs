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
    private readonly TimeSpan _requestBudget;
    private readonly TimeSpan _attemptBound;
    private readonly SupervisorStatus _status;
    private readonly ISupervisorInbox _inbox;
    private readonly INeardControl _neard;
    private const int ScheduleAttempts = 3;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private MaintenanceStatus? _last;
    private long _requests;

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
        _requestBudget = (timings ?? FailoverTimings.Defaults).MaintenanceRequestBudget;
        _attemptBound = (timings ?? FailoverTimings.Defaults).MaintenanceAttemptBound;
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
        // A neard restart (the hot-swap fallback, a health restart) or a lost lock can come between
        // reading the head and the machine taking the height; that attempt is void and is made again,
        // against the neard and leadership that are current then.
        string? superseded = null;
        var time = _status.Clock.TimeProvider;
        var started = time.GetTimestamp();
        for (var attempt = 0; attempt < ScheduleAttempts; attempt++)
        {
            if (attempt > 0)
            {
                if (time.GetElapsedTime(started) + _attemptBound > _requestBudget)
                {
                    return ControlOutcome<MaintenanceStatus>.Refused(
                        $"nothing is scheduled: neard or the leadership changed during {(attempt == 1 ? "the attempt" : $"each of {attempt} attempts")} (last: {superseded}), and another would not end within {_requestBudget.TotalSeconds:0}s of the request; try again");
                }

                await WaitForSettledNeardAsync(cancellationToken);
            }

            var (outcome, why) = await TryScheduleAsync(request, cancellationToken);
            if (outcome is not null)
            {
                return outcome;
            }

            superseded = why;
        }

        return ControlOutcome<MaintenanceStatus>.Refused($"nothing is scheduled: neard or the leadership changed during each of {ScheduleAttempts} attempts (last: {superseded}); try again");
    }

    /// <summary>One attempt: the outcome, or null and why the attempt was overtaken by a change of neard or leadership.</summary>
    private async Task<(ControlOutcome<MaintenanceStatus>? Outcome, string? Superseded)> TryScheduleAsync(MaintenanceRequest request, CancellationToken cancellationToken)
    {
        var snapshot = _status.Snapshot;
        if (snapshot is not { IsLeader: true })
        {
            var now = ++_requests;
            _inbox.Post(new MaintenanceNowEvent(request.Kind, now));
            switch (await AnswerAsync(now, cancellationToken))
            {
                case null:
                    return (ControlOutcome<MaintenanceStatus>.Refused($"knd's supervision loop did not take the request within {_reloadConfirmTimeout.TotalSeconds:0}s; nothing was done"), null);
                case { Accepted: false, Why: var why }:
                    // It became the leader before the loop took the request: the next attempt picks a window.
                    return (null, why);
            }

            var what = request.Kind == MaintenanceKind.Shutdown ? "stopping neard and knd now" : "restarting neard now";
            return (ControlOutcome<MaintenanceStatus>.Success(new MaintenanceStatus(request.Kind, null, snapshot?.BlockHeight, null, null, $"this node is passive (no duties): {what}")), null);
        }

        if (snapshot.Maintenance is not null)
        {
            return (ControlOutcome<MaintenanceStatus>.Refused($"a maintenance is already scheduled at height {snapshot.MaintenanceHeight}; cancel it first with --cancel"), null);
        }

        if (_neard.CurrentRpc is not { } rpc)
        {
            return (ControlOutcome<MaintenanceStatus>.Refused("neard is not running"), null);
        }

        if (Superseded(snapshot) is { } changed)
        {
            return (null, changed);
        }

        var status = await rpc.GetStatusAsync(cancellationToken);
        var windows = await rpc.GetMaintenanceWindowsAsync(_accountId, cancellationToken);
        if (!status.TryGetValue(out var neard, out _) || !windows.TryGetValue(out var ranges, out _))
        {
            return Superseded(snapshot) is { } replaced
                ? (null, replaced)
                : (ControlOutcome<MaintenanceStatus>.Refused($"cannot read neard's head and maintenance windows: {status.Error ?? windows.Error}"), null);
        }

        var head = neard.LatestBlockHeight;
        var target = new MaintenanceTarget(request.MinimumLength is > 0 ? request.MinimumLength : null, request.ShutdownAt);
        var choice = MaintenanceWindowChooser.Choose(head, ranges, target, epochEnd: null);
        if (choice.Refusal is { } refusal)
        {
            return (ControlOutcome<MaintenanceStatus>.Refused(refusal), null);
        }

        var height = choice.ShutdownAt!.Value;
        if (await ApplyAsync(rpc, height, snapshot.NeardGeneration, cancellationToken) is { } failed)
        {
            return Superseded(snapshot) is { } replaced ? (null, replaced) : (ControlOutcome<MaintenanceStatus>.Refused(failed), null);
        }

        var id = ++_requests;
        _inbox.Post(new MaintenanceScheduledEvent(request.Kind, height, snapshot.NeardGeneration, snapshot.FencingIndex ?? 0, id));
        var answer = await AnswerAsync(id, cancellationToken);
        if (answer is not { Accepted: true })
        {
            // The machine did not take it, so neard must not stop at it: only the neard it was written to has it.
            await _neard.SetExpectedShutdownAsync(null, snapshot.NeardGeneration, cancellationToken);
            return answer is null
                ? (ControlOutcome<MaintenanceStatus>.Refused($"knd's supervision loop did not take the maintenance within {_reloadConfirmTimeout.TotalSeconds:0}s; nothing is scheduled"), null)
                : (null, answer.Why);
        }

        _last = new MaintenanceStatus(request.Kind, height, head, choice.Window?.Start, choice.Window?.End, Describe(request.Kind, height, head));
        return (ControlOutcome<MaintenanceStatus>.Success(_last), null);
    }

    /// <summary>Why <paramref name="before"/> is no longer the neard and leadership in place, or null while it is.</summary>
    private string? Superseded(SupervisorSnapshot before)
    {
        var now = _status.Snapshot;
        if (now is null || now.NeardGeneration != before.NeardGeneration || _neard.CurrentGeneration != before.NeardGeneration)
        {
            return $"neard was restarted (generation {before.NeardGeneration} is gone)";
        }

        return now is { IsLeader: true } && now.FencingIndex == before.FencingIndex ? null : "this node's leadership changed";
    }

    /// <summary>The machine's answer to request <paramref name="id"/>, or null when none came within the reload timeout.</summary>
    private async Task<MaintenanceAnswer?> AnswerAsync(long id, CancellationToken cancellationToken)
    {
        var time = _status.Clock.TimeProvider;
        var started = time.GetTimestamp();
        while (true)
        {
            if (_status.Snapshot?.MaintenanceAnswer is { } answer && answer.Request == id)
            {
                return answer;
            }

            if (time.GetElapsedTime(started) >= _reloadConfirmTimeout)
            {
                return null;
            }

            await Task.Delay(_reloadPollInterval, time, cancellationToken);
        }
    }

    /// <summary>Waits (at most the reload timeout) until the neard the machine counts on is the one running.</summary>
    private async Task WaitForSettledNeardAsync(CancellationToken cancellationToken)
    {
        var time = _status.Clock.TimeProvider;
        var started = time.GetTimestamp();
        while (time.GetElapsedTime(started) < _reloadConfirmTimeout
            && !(_status.Snapshot is { NeardHealthy: true } snapshot && _neard.CurrentGeneration == snapshot.NeardGeneration))
        {
            await Task.Delay(_reloadPollInterval, time, cancellationToken);
        }
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

        if (await ApplyAsync(rpc, null, snapshot.NeardGeneration, cancellationToken) is { } failed)
        {
            // A new neard starts without the height and the machine voids it: then there is nothing left to cancel.
            return _status.Snapshot?.Maintenance is null
                ? ControlOutcome<MaintenanceStatus>.Success(new MaintenanceStatus(null, null, _status.Snapshot?.BlockHeight, null, null, "no maintenance scheduled any more (neard was restarted); nothing to cancel"))
                : ControlOutcome<MaintenanceStatus>.Refused(failed);
        }

        _inbox.Post(new MaintenanceCancelledEvent());
        _last = null;

        // The answer waits for the loop to take the cancel, so a status read or a new schedule right after it sees none.
        if (!await WaitForNoMaintenanceAsync(cancellationToken))
        {
            return ControlOutcome<MaintenanceStatus>.Refused(
                $"neard no longer has the shutdown height, but knd's supervision loop did not take the cancel within {_reloadConfirmTimeout.TotalSeconds:0}s; check knd status");
        }

        return ControlOutcome<MaintenanceStatus>.Success(new MaintenanceStatus(null, null, _status.Snapshot?.BlockHeight ?? snapshot.BlockHeight, null, null, "shutdown cancelled"));
    }

    private async Task<bool> WaitForNoMaintenanceAsync(CancellationToken cancellationToken)
    {
        var time = _status.Clock.TimeProvider;
        var started = time.GetTimestamp();
        while (_status.Snapshot?.Maintenance is not null)
        {
            if (time.GetElapsedTime(started) >= _reloadConfirmTimeout)
            {
                return false;
            }

            await Task.Delay(_reloadPollInterval, time, cancellationToken);
        }

        return true;
    }

    /// <summary>Writes expected_shutdown, sends SIGHUP and waits until neard counts the reload. Returns an error or null.</summary>
    private async Task<string?> ApplyAsync(INeardRpc rpc, long? height, int generation, CancellationToken cancellationToken)
    {
        var before = await rpc.GetMetricsAsync(cancellationToken);
        if (before.Value?.ConfigReloadsTotal is not { } reloadsBefore)
        {
            return "neard does not report near_config_reloads_total, so a reload cannot be confirmed";
        }

        if (await _neard.SetExpectedShutdownAsync(height, generation, cancellationToken) is { } error)
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
        await _neard.SetExpectedShutdownAsync(null, generation, cancellationToken);
        return $"neard did not confirm the reload within {_reloadConfirmTimeout.TotalSeconds:0}s (near_config_reloads_total did not rise)";
    }

    private static string Describe(MaintenanceKind kind, long height, long? current) =>
        $"{(kind == MaintenanceKind.Shutdown ? "shutdown" : "restart")} at height {height}" + (current is { } c ? $", current height {c}, in {height - c} blocks" : string.Empty);
}
