
namespace Knd.Failover;

/// <summary>Planned work: maintenance shutdowns and restarts, and switchover handovers.</summary>
internal sealed partial class FailoverMachine
{
    private MaintenanceKind? _maintenance;
    private long? _maintenanceHeight;
    private int _maintenanceGeneration;
    private bool _maintenanceReached;
    private MaintenanceAnswer? _maintenanceAnswer;
    private string? _handoverRequestedTo;
    private DemotionReason _handoverReason = DemotionReason.Switchover;

    /// <summary>The maintenance neard was told to stop for, if any.</summary>
    public (MaintenanceKind Kind, long Height)? ScheduledMaintenance =>
        _maintenance is { } kind && _maintenanceHeight is { } height ? (kind, height) : null;

    /// <summary>
    /// A leader's maintenance belongs to the neard that was told its height and to the leadership it was
    /// scheduled under: if either changed meanwhile (the lock was lost, neard restarted), it is void,
    /// and a later clean exit of another neard is not taken for it.
    /// </summary>
    private void ApplyMaintenanceScheduled(MaintenanceScheduledEvent scheduled)
    {
        if (!IsLeader || scheduled.Generation != _generation || scheduled.FencingIndex != _fencingIndex || _neardPhase != NeardPhase.Running)
        {
            var why = $"maintenance at height {scheduled.Height} ignored: scheduled for neard generation {scheduled.Generation} under fencing index {scheduled.FencingIndex}, which are no longer current";
            NoteError(why);
            _maintenanceAnswer = new MaintenanceAnswer(scheduled.Request, false, why);
            return;
        }

        _maintenanceAnswer = new MaintenanceAnswer(scheduled.Request, true, null);
        _maintenance = scheduled.Kind;
        _maintenanceHeight = scheduled.Height;
        _maintenanceGeneration = scheduled.Generation;
    }

    private void ApplyMaintenanceNow(MaintenanceNowEvent now)
    {
        var kind = now.Kind;
        if (IsLeader)
        {
            // A leader never stops without a window: the coordinator schedules it instead.
            _maintenanceAnswer = new MaintenanceAnswer(now.Request, false, "this node became the leader meanwhile; a leader stops only in a duty-free window");
            return;
        }

        _maintenanceAnswer = new MaintenanceAnswer(now.Request, true, null);

        if (kind == MaintenanceKind.Shutdown)
        {
            _stopRequested = true;
            return;
        }

        _maintenance = kind;
        _maintenanceGeneration = _generation;
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
