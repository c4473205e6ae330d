using System.Text.Json;
using Knd.Cluster;
using Knd.Configuration;
using Knd.Neard;
using Knd.Supervision;

namespace Knd.Switchover;

/// <summary>
/// Runs a planned handover on the leader: it acts on an open switchover record naming this node as
/// <c>from</c>, re-checks the target, waits for a duty-free window long enough for the handover,
/// tells the machine to hand over (stop neard, confirm, release naming the target), and records
/// the outcome in the switchover key, which every host reads for <c>knd switchover --wait</c>.
/// </summary>
internal sealed class SwitchoverCoordinator : BackgroundService
{
    /// <summary>Heights kept free before and after the handover: the RPC view of the head can lag by a block or two.</summary>
    internal const int SafetyHeights = 2;

    private readonly KndRunOptions _options;
    private readonly FailoverTimings _timings;
    private readonly ClusterState _cluster;
    private readonly SupervisorStatus _status;
    private readonly ISupervisorInbox _inbox;
    private readonly INeardControl _neard;
    private readonly IClusterStore _store;
    private readonly ILogger _logger;
    private readonly BlockRate _blockRate = new();
    private string? _handling;

    public SwitchoverCoordinator(
        KndRunOptions options,
        FailoverTimings timings,
        ClusterState cluster,
        SupervisorStatus status,
        ISupervisorInbox inbox,
        INeardControl neard,
        IClusterStore store,
        ILogger<SwitchoverCoordinator> logger)
    {
        _options = options;
        _timings = timings;
        _cluster = cluster;
        _status = status;
        _inbox = inbox;
        _neard = neard;
        _store = store;
        _logger = logger;
    }

    /// <summary>The time the handover itself needs (<see cref="FailoverTimings.SwitchoverHandoverBudget"/>).</summary>
    public TimeSpan HandoverBudget => _timings.SwitchoverHandoverBudget;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var time = _status.Clock.TimeProvider;
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(_timings.SwitchoverPollInterval, time, stoppingToken);
            var observation = _cluster.Latest;
            if (observation.Switchover is { IsOpen: true } record && record.From == _options.NodeId && record.Id != _handling
                && _status.Snapshot is { IsLeader: true })
            {
                _handling = record.Id;
                try
                {
                    await HandleAsync(record, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    await FinishAsync(record, SwitchoverRecord.Failed, $"switchover failed: {e.Message}", stoppingToken);
                }
            }
        }
    }

    private async Task HandleAsync(SwitchoverRecord record, CancellationToken cancellationToken)
    {
        var target = _cluster.Latest.Members.FirstOrDefault(m => m.Info.NodeId == record.To);
        if (target is not { ReadyPassive: true })
        {
            await FinishAsync(record, SwitchoverRecord.Failed, $"{record.To} is not a synced, healthy passive any more", cancellationToken);
            return;
        }

        record = await UpdateAsync(record, SwitchoverRecord.WaitingForWindow, "waiting for a duty-free window long enough for the handover", cancellationToken) ?? record;
        var time = _status.Clock.TimeProvider;
        var started = time.GetTimestamp();
        IReadOnlyList<BlockRange> windows = [];
        while (true)
        {
            if (time.GetElapsedTime(started) > _timings.SwitchoverWindowTimeout)
            {
                await FinishAsync(record, SwitchoverRecord.Failed, $"no duty-free window long enough within {_timings.SwitchoverWindowTimeout.TotalMinutes:0} minutes", cancellationToken);
                return;
            }

            if (_status.Snapshot is not { IsLeader: true })
            {
                await FinishAsync(record, SwitchoverRecord.Failed, "this node stopped leading before the handover", cancellationToken);
                return;
            }

            if (_neard.CurrentRpc is { } rpc && (await rpc.GetStatusAsync(cancellationToken)).TryGetValue(out var status, out _))
            {
                var head = status.LatestBlockHeight;
                _blockRate.Observe(head, time.GetTimestamp(), time);
                if (!windows.Any(w => w.End > head + SafetyHeights))
                {
                    var fetched = await rpc.GetMaintenanceWindowsAsync(_options.AccountId, cancellationToken);
                    windows = fetched.TryGetValue(out var fresh, out _) ? fresh : [];
                }

                if (_blockRate.Interval is { } interval)
                {
                    var needed = NeededHeights(HandoverBudget, interval);
                    if (HandoverWindow.Fits(windows, head, needed))
                    {
                        // Only a handover the record says is under way: a cancel written meanwhile wins.
                        if (await UpdateAsync(record, SwitchoverRecord.HandingOver, $"handing over to {record.To}", cancellationToken) is { } handing)
                        {
                            record = handing;
                            break;
                        }
                    }
                    else
                    {
                        record = await ReportWindowAsync(record, HandoverWindow.Next(windows, head, needed), head, needed, interval, cancellationToken);
                    }
                }
            }

            if (Withdrawn(record) is { } why)
            {
                _logger.SwitchoverFinished(record.Id, SwitchoverRecord.Cancelled, why);
                return;
            }

            await Task.Delay(_timings.SwitchoverPollInterval, time, cancellationToken);
        }

        _inbox.Post(new HandoverNowEvent(record.To));
        var handedAt = time.GetTimestamp();
        while (time.GetElapsedTime(handedAt) < _timings.SwitchoverTakeoverTimeout)
        {
            await Task.Delay(_timings.SwitchoverPollInterval, time, cancellationToken);
            var leader = _status.Snapshot?.LeaderNodeId;
            if (leader == record.To)
            {
                await FinishAsync(record, SwitchoverRecord.Done, $"{record.To} is the active validator", cancellationToken);
                return;
            }
        }

        var now = _status.Snapshot?.LeaderNodeId ?? "nobody";
        await FinishAsync(record, SwitchoverRecord.Failed, $"{record.To} did not take the lock within {_timings.SwitchoverTakeoverTimeout.TotalSeconds:0}s; the leader is {now}", cancellationToken);
    }

    /// <summary>Why this node must stop acting on <paramref name="record"/>: cancelled, or replaced by another request.</summary>
    private string? Withdrawn(SwitchoverRecord record) =>
        _cluster.Latest.Switchover switch
        {
            null => "the switchover record was deleted",
            { Phase: SwitchoverRecord.Cancelled } seen when seen.Id == record.Id => seen.Message,
            { } seen when seen.Id != record.Id => $"replaced by switchover {seen.Id}",
            _ => null,
        };

    /// <summary>
    /// Tells the waiting operator where the next long-enough window is: written only when its height
    /// changes (a record write per poll would load the lock service for nothing); the ETA is then
    /// counted down by the CLI.
    /// </summary>
    private async Task<SwitchoverRecord> ReportWindowAsync(SwitchoverRecord record, long? next, long head, long needed, TimeSpan interval, CancellationToken cancellationToken)
    {
        if (next == record.WindowHeight && (next is not null || record.Message.StartsWith("no duty-free window", StringComparison.Ordinal)))
        {
            return record;
        }

        var now = _status.Clock.TimeProvider.GetUtcNow();
        var at = next is { } height ? now + ((height - head) * interval) : (DateTimeOffset?)null;
        var message = next is { } h
            ? $"waiting for a duty-free window of {needed} heights: the next starts at height {h} (head {head}), in about {(at!.Value - now).TotalSeconds:0} s"
            : $"no duty-free window of {needed} heights known after head {head} in this epoch yet; waiting for the next epoch's schedule";
        return await UpdateAsync(record with { WindowHeight = next, WindowAt = at }, SwitchoverRecord.WaitingForWindow, message, cancellationToken) ?? record;
    }

    /// <summary>
    /// Heights the handover needs after the head. The interval is an estimate that wobbles by a
    /// percent or so around the true one; rounding (not ceiling) keeps the count from jumping by a
    /// height on that noise, which made windows of exactly the needed length unusable half the
    /// time. The <see cref="SafetyHeights"/> cover the half block rounding may give away.
    /// </summary>
    internal static long NeededHeights(TimeSpan handoverBudget, TimeSpan blockInterval) =>
        (long)Math.Round(handoverBudget / blockInterval, MidpointRounding.AwayFromZero) + SafetyHeights;

    private async Task FinishAsync(SwitchoverRecord record, string phase, string message, CancellationToken cancellationToken)
    {
        _logger.SwitchoverFinished(record.Id, phase, message);
        await UpdateAsync(record, phase, message, cancellationToken);
    }

    /// <summary>Writes the record's new phase, but only over the version this node read (never over a newer request).</summary>
    private async Task<SwitchoverRecord?> UpdateAsync(SwitchoverRecord record, string phase, string message, CancellationToken cancellationToken)
    {
        var current = _cluster.Latest;
        if (current.Switchover?.Id != record.Id)
        {
            return null;
        }

        var updated = record with { Phase = phase, Message = message };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(updated, ClusterJsonContext.Default.SwitchoverRecord);
        var result = await _store.PutAsync(_cluster.Keys.Switchover, bytes, current.SwitchoverIndex, cancellationToken);
        if (result is not { Error: null, Value: true })
        {
            // A newer request replaced this one, or the lock service is unreachable: the record stays as it is.
            return null;
        }

        _logger.SwitchoverPhase(record.Id, phase, message);

        // The next write must carry the index the lock service gave this one: wait for the watch to show it.
        var time = _status.Clock.TimeProvider;
        var started = time.GetTimestamp();
        while (_cluster.Latest.Switchover is not { } seen || seen.Id != record.Id || seen.Phase != phase)
        {
            if (time.GetElapsedTime(started) > _timings.SwitchoverRecordEchoTimeout)
            {
                break;
            }

            await Task.Delay(_timings.WatchEchoPollInterval, time, cancellationToken);
        }

        return updated;
    }
}
