using System.Text.Json;
using Knd.Cluster;
using Knd.Configuration;
using Knd.Consul;
using Knd.Control;
using Knd.Maintenance;
using Knd.Supervision;

namespace Knd.Hosting;

/// <summary>The daemon's side of the control socket: reads Consul and the supervisor, and starts planned work.</summary>
internal sealed class DaemonControl : ISupervisorControl
{
    private readonly KndRunOptions _options;
    private readonly IConsulClient _consul;
    private readonly ClusterState _cluster;
    private readonly SupervisorStatus _status;
    private readonly MaintenanceCoordinator _maintenance;
    private readonly ILogger _logger;

    public DaemonControl(
        KndRunOptions options,
        IConsulClient consul,
        ClusterState cluster,
        SupervisorStatus status,
        MaintenanceCoordinator maintenance,
        ILogger<DaemonControl> logger)
    {
        _options = options;
        _consul = consul;
        _cluster = cluster;
        _status = status;
        _maintenance = maintenance;
        _logger = logger;
    }

    public async Task<ActiveValidatorInfo?> GetActiveValidatorAsync(CancellationToken cancellationToken)
    {
        var read = await _consul.GetKeyAsync(_options.LockKey, KvQuery.ConsistentRead, cancellationToken);
        if (!read.IsSuccess)
        {
            throw new InvalidOperationException($"cannot read the lock key {_options.LockKey}: {read.Error}");
        }

        if (read.Value!.Entry is not { Session: { } session } entry)
        {
            return null;
        }

        LockValue? value = null;
        try
        {
            value = JsonSerializer.Deserialize(entry.Value, SupervisionJsonContext.Default.LockValue);
        }
        catch (JsonException)
        {
            // Not written by knd or kuutamod: fall back to the session's name.
        }

        var nodeId = value?.NodeId;
        if (nodeId is null)
        {
            var info = await _consul.GetSessionInfoAsync(session, cancellationToken);
            nodeId = info.Value?.Name ?? "(unknown)";
        }

        return new ActiveValidatorInfo(nodeId, session, value?.Since);
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
            return ControlOutcome<SwitchoverStatus>.Refused("the cluster state has not been read from Consul yet; try again");
        }

        var leader = await GetActiveValidatorAsync(cancellationToken);
        if (leader is null)
        {
            return ControlOutcome<SwitchoverStatus>.Refused("no node holds the lock: there is no active validator to hand over from");
        }

        if (cluster.Switchover is { IsOpen: true } open)
        {
            return ControlOutcome<SwitchoverStatus>.Refused($"a switchover {open.From} -> {open.To} is already {open.Phase}");
        }

        var ready = cluster.Members.Where(m => m.ReadyPassive && m.Info.NodeId != leader.NodeId).ToList();
        Member? target;
        if (request.To is { } to)
        {
            if (to == leader.NodeId)
            {
                return ControlOutcome<SwitchoverStatus>.Refused($"{to} is already the active validator");
            }

            target = ready.FirstOrDefault(m => m.Info.NodeId == to);
            if (target is null)
            {
                var known = cluster.Members.FirstOrDefault(m => m.Info.NodeId == to);
                var why = known is null ? "is not a member of this validator's cluster"
                    : !known.Alive ? "has no live Consul session"
                    : $"is {known.Info.State}, synced={known.Info.Synced}, healthy={known.Info.Healthy}, held_off={known.Info.HeldOff}";
                return ControlOutcome<SwitchoverStatus>.Refused($"cannot switch over to {to}: it {why}");
            }
        }
        else
        {
            target = cluster.ReadiestPassive(leader.NodeId);
            if (target is null)
            {
                return ControlOutcome<SwitchoverStatus>.Refused("no synced, healthy passive to hand over to");
            }
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
        var put = await _consul.PutKeyAsync(_cluster.Keys.Switchover, bytes, new KvPutOptions(Cas: cas), cancellationToken);
        if (!put.IsSuccess)
        {
            return ControlOutcome<SwitchoverStatus>.Refused($"could not write the switchover request to Consul: {put.Error}");
        }

        if (!put.Value)
        {
            return ControlOutcome<SwitchoverStatus>.Refused("another switchover request was written at the same time; check knd switchover status");
        }

        _logger.SwitchoverRequested(record.Id, record.From, record.To);
        return ControlOutcome<SwitchoverStatus>.Success(ToStatus(record));
    }

    public Task<SwitchoverStatus> GetSwitchoverStatusAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_cluster.Latest.Switchover is { } record ? ToStatus(record) : new SwitchoverStatus("none", null, null, "no switchover requested"));

    public async Task<ControlOutcome<bool>> SetPausedAsync(bool paused, CancellationToken cancellationToken)
    {
        var record = new PauseRecord(paused, _options.NodeId, _status.Clock.TimeProvider.GetUtcNow());
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record, ClusterJsonContext.Default.PauseRecord);
        var put = await _consul.PutKeyAsync(_cluster.Keys.Pause, bytes, KvPutOptions.None, cancellationToken);
        if (!put.IsSuccess)
        {
            return ControlOutcome<bool>.Refused($"could not write the pause flag to Consul: {put.Error}");
        }

        _logger.PauseChanged(paused ? "paused" : "resumed", _options.NodeId);
        return ControlOutcome<bool>.Success(paused);
    }

    private static SwitchoverStatus ToStatus(SwitchoverRecord record) => new(record.Phase, record.From, record.To, record.Message);
}
