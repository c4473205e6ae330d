
namespace Knd.Failover;

/// <summary>Planned work: maintenance shutdowns and restarts, and switchover handovers.</summary>
internal sealed partial class FailoverMachine
{
    private MaintenanceKind? _maintenance;
    private long? _maintenanceHeight;
    private bool _maintenanceReached;
    private string? _handoverRequestedTo;

    /// <summary>The maintenance neard was told to stop for, if any.</summary>
    public (MaintenanceKind Kind, long Height)? ScheduledMaintenance =>
        _maintenance is { } kind && _maintenanceHeight is { } height ? (kind, height) : null;

    private void ApplyMaintenanceNow(MaintenanceKind kind)
    {
        if (IsLeader)
        {
            // A leader never stops without a window: the coordinator schedules it instead.
            return;
        }

        if (kind == MaintenanceKind.Shutdown)
        {
            _stopRequested = true;
            return;
        }

        _maintenance = kind;
        _maintenanceReached = true;
        if (State != SupervisorState.Shutdown)
        {
            StopNeard("maintenance restart");
        }
    }

    /// <summary>
    /// Called where a passive notices its neard is down: a reached maintenance decides between
    /// exiting (shutdown) and a plain restart. Returns true when it handled the situation.
    /// </summary>
    private bool FinishPassiveMaintenance()
    {
        if (!_maintenanceReached || _neardPhase != NeardPhase.Stopped)
        {
            return false;
        }

        var kind = _maintenance;
        ClearMaintenance();
        if (kind == MaintenanceKind.Shutdown)
        {
            _stopRequested = true;
            TransitionTo(SupervisorState.Shutdown, "maintenance shutdown reached");
        }
        else
        {
            TransitionTo(SupervisorState.Startup, "maintenance restart");
        }

        return true;
    }

    private void ClearMaintenance()
    {
        _maintenance = null;
        _maintenanceHeight = null;
        _maintenanceReached = false;
    }
}
