using System.Text.Json;
using Knd.Cluster;
using Knd.Configuration;
using Knd.Control;
using Knd.Maintenance;
using Knd.Supervision;

namespace Knd.Hosting;

/// <summary>The daemon's side of the control socket: reads the lock service and the supervisor, and starts planned work.</summary>
internal sealed class DaemonControl : ISupervisorControl
{
    private readonly KndRunOptions _options;
    private readonly FailoverTimings _timings;
    private readonly IClusterStore _store;
    private readonly ClusterState _cluster;
    private readonly SupervisorStatus _status;
    private readonly MaintenanceCoordinator _maintenance;
    private readonly ILogger _logger;

    public DaemonControl(
        KndRunOptions options,
        FailoverTimings timings,
        IClusterStore store,
        ClusterState cluster,
        SupervisorStatus status,
        MaintenanceCoordinator maintenance,
        ILogger<DaemonControl> logger)
    {
        _options = options;
        _timings = timings;
        _store = store;
        _cluster = cluster;
        _status = status;
        _maintenance = maintenance;
        _logger = logger;
    }

    public async Task<ControlOutcome<ActiveValidatorInfo?>> GetActiveValidatorAsync(CancellationToken cancellationToken)
    {
        var read = await _store.ReadHolderAsync(cancellationToken);
        if (read.Error is { } error)
        {
            // The cause first ("cannot reach Consul at ...", "Consul refused the ACL token ..."), then what it costs.
            return ControlOutcome<ActiveValidatorInfo?>.Unavailable($"{error.Message}; so knd cannot tell who holds the lock {_options.LockKey}");
        }

        if (read.Value is not { } holding)
        {
            return ControlOutcome<ActiveValidatorInfo?>.Success(null);
        }

        // Not written by knd or kuutamod: fall back to the session's name (knd's and kuutamod's node id).
        var nodeId = holding.Value?.NodeId ?? holding.SessionName ?? "(unknown)";
        return ControlOutcome<ActiveValidatorInfo?>.Success(new ActiveValidatorInfo(nodeId, holding.SessionId, holding.Value?.Since) { ConsulNode = holding.ServiceNode });
    }

    public Task<ControlOutcome<MaintenanceStatus>> ScheduleMaintenanceAsync(MaintenanceRequest request, CancellationToken cancellationToken) =>
        _maintenance.ScheduleAsync(request, cancellationToken);

    public Task<MaintenanceStatus> GetMaintenanceStatusAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_maintenance.Status());

    public async Task<ControlOutcome<SwitchoverStatus>> SwitchoverAsync(SwitchoverRequest request, CancellationToken cancellationToken)
    {
        var cluster = _cluster.Latest;
        if (!_cluster.Known)
        {
            return ControlOutcome<SwitchoverStatus>.Refused("the cluster state has not been read from the lock service yet; try again");
        }

        var holder = await GetActiveValidatorAsync(cancellationToken);
        if (!holder.Ok)
        {
            return holder.As<SwitchoverStatus>();
        }

        if (holder.Value is not { } leader)
        {
            return ControlOutcome<SwitchoverStatus>.Refused("no node holds the lock: there is no active validator to hand over from");
        }

        if (cluster.Switchover is { IsOpen: true } open)
        {
            // Replacing it would leave the leader acting on a request nobody waits for.
            return ControlOutcome<SwitchoverStatus>.Refused(
                $"switchover {open.Id} ({open.From} -> {open.To}, requested by {open.RequestedBy} at {open.RequestedAt:yyyy-MM-dd HH:mm:ss}Z) is already {open.Phase}: {open.Message}; `knd switchover --cancel` cancels it");
        }

        var choice = SwitchoverTarget.Choose(cluster, leader.NodeId, request.To);
        if (!choice.Ok)
        {
            return ControlOutcome<SwitchoverStatus>.Refused(choice.Refusal);
        }

        var target = choice.Target;
        if (request.DryRun)
        {
            return ControlOutcome<SwitchoverStatus>.Success(new SwitchoverStatus(
                "dry-run",
                leader.NodeId,
                target.Info.NodeId,
                $"would hand over from {leader.NodeId} to {target.Info.NodeId} (Voting, synced, healthy) in the next duty-free window long enough for the handover; nothing was written"));
        }

        var record = new SwitchoverRecord(
            Guid.NewGuid().ToString("n")[..12],
            leader.NodeId,
            target.Info.NodeId,
            SwitchoverRecord.Pending,
            $"waiting for {leader.NodeId} to start the handover",
            _options.NodeId,
            _status.Clock.TimeProvider.GetUtcNow());
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record, ClusterJsonContext.Default.SwitchoverRecord);

        // cas: never overwrite a request another host wrote after our read.
        var cas = cluster.Switchover is null ? 0 : cluster.SwitchoverIndex;
        var put = await _store.PutAsync(_cluster.Keys.Switchover, bytes, cas, cancellationToken);
        if (put.Error is { } putError)
        {
            return ControlOutcome<SwitchoverStatus>.Unavailable($"{putError.Message}; the switchover request was not written");
        }

        if (!put.Value)
        {
            return ControlOutcome<SwitchoverStatus>.Refused("another switchover request was written at the same time; check knd switchover status");
        }

        _logger.SwitchoverRequested(record.Id, record.From, record.To);
        await WaitForEchoAsync(() => _cluster.Latest.Switchover?.Id == record.Id, cancellationToken);
        return ControlOutcome<SwitchoverStatus>.Success(ToStatus(record));
    }

    public Task<SwitchoverStatus> GetSwitchoverStatusAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_cluster.Latest.Switchover is { } record ? ToStatus(record) : new SwitchoverStatus("none", null, null, "no switchover requested"));

    public async Task<ControlOutcome<SwitchoverStatus>> CancelSwitchoverAsync(CancellationToken cancellationToken)
    {
        if (!_cluster.Known)
        {
            return ControlOutcome<SwitchoverStatus>.Refused("the cluster state has not been read from the lock service yet; try again");
        }

        var cluster = _cluster.Latest;
        if (cluster.Switchover is not { IsOpen: true } open)
        {
            return ControlOutcome<SwitchoverStatus>.Refused("no switchover is waiting to be cancelled");
        }

        if (open.Phase == SwitchoverRecord.HandingOver)
        {
            return ControlOutcome<SwitchoverStatus>.Refused($"switchover {open.Id} is already handing over to {open.To}; it can no longer be cancelled");
        }

        var cancelled = open with { Phase = SwitchoverRecord.Cancelled, Message = $"cancelled by {_options.NodeId} while {open.Phase}" };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(cancelled, ClusterJsonContext.Default.SwitchoverRecord);

        // cas: the leader's move to handing-over and this cancel cannot both win.
        var put = await _store.PutAsync(_cluster.Keys.Switchover, bytes, cluster.SwitchoverIndex, cancellationToken);
        if (put.Error is { } error)
        {
            return ControlOutcome<SwitchoverStatus>.Unavailable($"{error.Message}; the switchover was not cancelled");
        }

        if (!put.Value)
        {
            return ControlOutcome<SwitchoverStatus>.Refused("the switchover moved on while it was being cancelled; see `knd switchover --status`");
        }

        _logger.SwitchoverPhase(open.Id, SwitchoverRecord.Cancelled, cancelled.Message);
        await WaitForEchoAsync(() => _cluster.Latest.Switchover is not { } seen || seen.Id != open.Id || seen.Phase == SwitchoverRecord.Cancelled, cancellationToken);
        return ControlOutcome<SwitchoverStatus>.Success(ToStatus(cancelled));
    }

    public async Task<ControlOutcome<bool>> SetPausedAsync(bool paused, CancellationToken cancellationToken)
    {
        var record = new PauseRecord(paused, _options.NodeId, _status.Clock.TimeProvider.GetUtcNow());
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record, ClusterJsonContext.Default.PauseRecord);
        var put = await _store.PutAsync(_cluster.Keys.Pause, bytes, null, cancellationToken);
        if (put.Error is { } error)
        {
            return ControlOutcome<bool>.Unavailable($"{error.Message}; the pause flag was not written");
        }

        _logger.PauseChanged(paused ? "paused" : "resumed", _options.NodeId);
        await WaitForEchoAsync(() => _status.Snapshot is not { } snapshot || snapshot.Paused == paused, cancellationToken);
        return ControlOutcome<bool>.Success(paused);
    }

    /// <summary>Waits (at most <see cref="FailoverTimings.ControlEchoTimeout"/>) until this node's own view shows what the request wrote.</summary>
    private async Task WaitForEchoAsync(Func<bool> shown, CancellationToken cancellationToken)
    {
        var time = _status.Clock.TimeProvider;
        var started = time.GetTimestamp();
        while (!shown() && time.GetElapsedTime(started) < _timings.ControlEchoTimeout)
        {
            await Task.Delay(_timings.WatchEchoPollInterval, time, cancellationToken);
        }
    }

    private static SwitchoverStatus ToStatus(SwitchoverRecord record) =>
        new(record.Phase, record.From, record.To, record.Message, record.Id, record.RequestedBy, record.RequestedAt, record.WindowHeight, record.WindowAt);

    public async Task<ControlOutcome<MemberListView>> ListMembersAsync(CancellationToken cancellationToken)
    {
        if (!_cluster.Known)
        {
            return ControlOutcome<MemberListView>.Refused("the cluster state has not been read from the lock service yet; try again");
        }

        // The members come from the watch; the leader from a linearizable read, as active-validator's.
        var cluster = _cluster.Latest;
        var holder = await GetActiveValidatorAsync(cancellationToken);
        return holder.Ok
            ? ControlOutcome<MemberListView>.Success(MemberList.From(_options.LockKey, cluster, holder.Value?.NodeId, _status.Clock.TimeProvider.GetUtcNow(), _timings.MemberStaleAfter))
            : holder.As<MemberListView>();
    }

    public async Task<ControlOutcome<string>> RemoveMemberAsync(string nodeId, CancellationToken cancellationToken)
    {
        if (!_cluster.Known)
        {
            return ControlOutcome<string>.Refused("the cluster state has not been read from the lock service yet; try again");
        }

        var holder = await GetActiveValidatorAsync(cancellationToken);
        if (!holder.Ok)
        {
            return holder.As<string>();
        }

        if (holder.Value?.NodeId == nodeId)
        {
            return ControlOutcome<string>.Refused($"{nodeId} holds the lock: the current leader's record is never removed");
        }

        var member = _cluster.Latest.Members.FirstOrDefault(m => m.Info.NodeId == nodeId);
        if (member is null)
        {
            return ControlOutcome<string>.Refused($"{nodeId} has no record under {_cluster.Keys.MembersPrefix}");
        }

        if (member.Alive)
        {
            // Its knd would write it again, and until then step-downs and switchovers would not see it.
            return ControlOutcome<string>.Refused($"{nodeId} is alive (its record is held by a live session); stop knd on it first");
        }

        var deleted = await _store.DeleteAsync(_cluster.Keys.Member(nodeId), cancellationToken);
        if (deleted.Error is { } error)
        {
            return ControlOutcome<string>.Unavailable($"{error.Message}; the record of {nodeId} was not removed");
        }

        _logger.MemberRemoved(nodeId, _options.NodeId);
        return ControlOutcome<string>.Success(nodeId);
    }
}
