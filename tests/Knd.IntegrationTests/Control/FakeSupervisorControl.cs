using System.Collections.Concurrent;
using Knd.Control;

namespace Knd.IntegrationTests.Control;

/// <summary>A scripted <see cref="ISupervisorControl"/>: answers what the test set, records what it was asked.</summary>
internal sealed class FakeSupervisorControl : ISupervisorControl
{
    private readonly ConcurrentQueue<SwitchoverStatus> _switchoverScript = new();

    public ActiveValidatorInfo? Active { get; set; }

    public MaintenanceStatus Maintenance { get; set; } = new(null, null, 1000, null, null, "no maintenance scheduled");

    /// <summary>The answer to a schedule; by default it schedules a shutdown at 1020 in [1010, 1030).</summary>
    public Func<MaintenanceRequest, ControlOutcome<MaintenanceStatus>>? OnSchedule { get; set; }

    public ConcurrentQueue<MaintenanceRequest> MaintenanceRequests { get; } = new();

    public SwitchoverStatus Switchover { get; set; } = new("none", null, null, "no switchover in progress");

    public Func<SwitchoverRequest, ControlOutcome<SwitchoverStatus>>? OnSwitchover { get; set; }

    public ConcurrentQueue<SwitchoverRequest> SwitchoverRequests { get; } = new();

    public bool Paused { get; private set; }

    public string? RefusePause { get; set; }

    /// <summary>When set, writing the pause flag fails with this cause (Consul down...).</summary>
    public string? PauseUnavailable { get; set; }

    /// <summary>When set, schedule calls wait for it: a test can hang up mid-call.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Set when a schedule call was cancelled by its token.</summary>
    public bool ScheduleCancelled { get; private set; }

    public int MaintenanceReads;

    public Exception? ThrowOnRead { get; set; }

    /// <summary>When set, reading the lock fails with this cause (Consul down...).</summary>
    public string? ActiveUnavailable { get; set; }

    public Task<ControlOutcome<ActiveValidatorInfo?>> GetActiveValidatorAsync(CancellationToken cancellationToken) =>
        ThrowOnRead is { } ex ? Task.FromException<ControlOutcome<ActiveValidatorInfo?>>(ex)
        : ActiveUnavailable is { } cause ? Task.FromResult(ControlOutcome<ActiveValidatorInfo?>.Unavailable(cause))
        : Task.FromResult(ControlOutcome<ActiveValidatorInfo?>.Success(Active));

    public async Task<ControlOutcome<MaintenanceStatus>> ScheduleMaintenanceAsync(MaintenanceRequest request, CancellationToken cancellationToken)
    {
        MaintenanceRequests.Enqueue(request);
        if (Gate is { } gate)
        {
            try
            {
                await gate.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                ScheduleCancelled = true;
                throw;
            }
        }

        var outcome = OnSchedule?.Invoke(request) ?? ControlOutcome<MaintenanceStatus>.Success(request.Cancel
            ? new MaintenanceStatus(null, null, 1000, null, null, $"{MaintenanceKinds.ToWire(request.Kind)} cancelled")
            : new MaintenanceStatus(request.Kind, 1020, 1000, 1010, 1030, $"{MaintenanceKinds.ToWire(request.Kind)} at height 1020"));
        if (outcome.TryGetValue(out var maintenance))
        {
            Maintenance = maintenance;
        }

        return outcome;
    }

    public Task<MaintenanceStatus> GetMaintenanceStatusAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref MaintenanceReads);
        return ThrowOnRead is { } ex ? Task.FromException<MaintenanceStatus>(ex) : Task.FromResult(Maintenance);
    }

    public Task<ControlOutcome<SwitchoverStatus>> SwitchoverAsync(SwitchoverRequest request, CancellationToken cancellationToken)
    {
        SwitchoverRequests.Enqueue(request);
        var outcome = OnSwitchover?.Invoke(request) ?? ControlOutcome<SwitchoverStatus>.Success(new SwitchoverStatus("pending", "node-a", request.To, "switchover requested"));
        if (outcome.TryGetValue(out var switchover))
        {
            Switchover = switchover;
        }

        return Task.FromResult(outcome);
    }

    public int SwitchoverCancels;

    public Task<ControlOutcome<SwitchoverStatus>> CancelSwitchoverAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref SwitchoverCancels);
        if (Switchover.Phase is not ("pending" or "waiting-for-window"))
        {
            return Task.FromResult(ControlOutcome<SwitchoverStatus>.Refused("no switchover is waiting to be cancelled"));
        }

        Switchover = Switchover with { Phase = "cancelled", Message = "cancelled by node-a while waiting-for-window" };
        return Task.FromResult(ControlOutcome<SwitchoverStatus>.Success(Switchover));
    }

    /// <summary>Each GET /switchover takes the next scripted status; the last one stays.</summary>
    public void ScriptSwitchover(params SwitchoverStatus[] phases)
    {
        foreach (var phase in phases)
        {
            _switchoverScript.Enqueue(phase);
        }
    }

    public Task<SwitchoverStatus> GetSwitchoverStatusAsync(CancellationToken cancellationToken)
    {
        if (_switchoverScript.TryDequeue(out var next))
        {
            Switchover = next;
        }

        return Task.FromResult(Switchover);
    }

    /// <summary>What GET /members answers.</summary>
    public Knd.Control.MemberListView Members { get; set; } = new("kuutamod-leader/v.near", null, false, []);

    /// <summary>When set, GET /members answers this for the n-th read (1, 2 ...) instead of <see cref="Members"/>.</summary>
    public Func<int, Knd.Control.MemberListView>? MembersAtRead { get; set; }

    public int MembersReads;

    public Task<ControlOutcome<Knd.Control.MemberListView>> ListMembersAsync(CancellationToken cancellationToken)
    {
        var read = Interlocked.Increment(ref MembersReads);
        return Task.FromResult(ControlOutcome<Knd.Control.MemberListView>.Success(MembersAtRead?.Invoke(read) ?? Members));
    }

    public Task<ControlOutcome<string>> RemoveMemberAsync(string nodeId, CancellationToken cancellationToken) =>
        Task.FromResult(nodeId == Members.Leader
            ? ControlOutcome<string>.Refused($"{nodeId} holds the lock: the current leader's record is never removed")
            : ControlOutcome<string>.Success(nodeId));

    public Task<ControlOutcome<bool>> SetPausedAsync(bool paused, CancellationToken cancellationToken)
    {
        if (RefusePause is { } reason)
        {
            return Task.FromResult(ControlOutcome<bool>.Refused(reason));
        }

        if (PauseUnavailable is { } cause)
        {
            return Task.FromResult(ControlOutcome<bool>.Unavailable(cause));
        }

        Paused = paused;
        return Task.FromResult(ControlOutcome<bool>.Success(paused));
    }
}
