
namespace Knd.Failover;

/// <summary>
/// The failover decision core: the one place that decides "may this node sign?". It does no I/O.
/// The shell feeds it one <see cref="SupervisorEvent"/> at a time; it updates what it knows, then
/// re-evaluates the current state (level-triggered, so a missed edge cannot strand it) and returns
/// the <see cref="SupervisorAction"/>s for the shell to perform. States, transitions and timers
/// are those of docs/failover-algorithm.md.
/// </summary>
internal sealed partial class FailoverMachine
{
    private readonly FailoverTimings _timings;
    private readonly MonotonicClock _clock;
    private readonly string _nodeId;
    private readonly string _accountId;
    private readonly PromotionMode _promotion;
    private readonly List<SupervisorAction> _actions = [];
    private readonly List<StateTransition> _transitions = [];
    private readonly HashSet<string> _destroying = [];
    private TimeSpan _now;
    private bool _stopRequested;
    private bool _exitIssued;
    private string? _lastError;

    public FailoverMachine(FailoverTimings timings, MonotonicClock clock, string nodeId, string accountId, PromotionMode promotion, ProductionRules? production = null, PeerRules? peers = null, MemberTags? tags = null)
    {
        _tags = tags ?? new MemberTags();
        _rules = production ?? new ProductionRules();
        _peers = peers ?? new PeerRules();
        _tally = new ProductionTally(_rules);
        _leaderTally = new ProductionTally(_rules);
        _activePromotion = promotion;
        _timings = timings;
        _clock = clock;
        _nodeId = nodeId;
        _accountId = accountId;
        _promotion = promotion;
        _now = clock.Now;
        _stateSince = _now;
        _createBackoff = timings.CreateBackoffMin;

        // A knd that died may have promised the leader not to take the lock; it has forgotten.
        _promisedUntil = _now + _peers.StartupPromiseWait;
    }

    public SupervisorState State { get; private set; } = SupervisorState.Startup;

    public SupervisorCounters Counters { get; } = new();

    /// <summary>True while this node holds the confirmed lock: the only time neard may have the validator key.</summary>
    public bool IsLeader => State == SupervisorState.Validating && _lock == LockPhase.Held;

    /// <summary>Feeds one event; returns the actions to perform and the transitions it caused.</summary>
    public MachineOutput Handle(SupervisorEvent supervisorEvent)
    {
        _now = _clock.Now;
        Apply(supervisorEvent);
        for (var round = 0; round < 16; round++)
        {
            var before = State;
            Evaluate();
            if (State == before)
            {
                break;
            }
        }

        TrackRosterTenure();

        var output = new MachineOutput([.. _actions], [.. _transitions]);
        _actions.Clear();
        _transitions.Clear();
        return output;
    }

    public SupervisorSnapshot Snapshot() => new(
        State,
        IsLeader,
        LeaderNodeId(),
        _neardPid,
        _head,
        _syncing,
        _neardPhase == NeardPhase.Running && !IsUnhealthy(out _),
        _sessionId,
        _sessionId is null ? null : _now - _lastRenewOkSentAt,
        IsLeader ? _fencingIndex : null,
        _paused,
        _lastError,
        _now,
        _maintenance,
        _maintenanceHeight,
        _generation,
        _now < _promoteNotBefore ? _promoteNotBefore - _now : null,
        _now < _takeNotBefore ? _takeNotBefore - _now : null,
        ProductionSnapshot(),
        PeerSnapshot(),
        _maintenanceAnswer);

    private string? LeaderNodeId()
    {
        if (IsLeader)
        {
            return _nodeId;
        }

        return _observed is { Holder: not null, Value: { } value } ? value.NodeId : null;
    }

    private void Evaluate()
    {
        if (_stopRequested && State is not (SupervisorState.Shutdown or SupervisorState.Validating))
        {
            TransitionTo(SupervisorState.Shutdown, "stop requested");
        }

        switch (State)
        {
            case SupervisorState.Startup:
                EvaluateStartup();
                break;
            case SupervisorState.Syncing:
                EvaluateSyncing();
                break;
            case SupervisorState.Registering:
                EvaluateRegistering();
                break;
            case SupervisorState.Voting:
                EvaluateVoting();
                break;
            case SupervisorState.Validating:
                EvaluateValidating();
                break;
            case SupervisorState.Shutdown:
                EvaluateShutdown();
                break;
        }
    }

    private TimeSpan _stateSince;

    private void TransitionTo(SupervisorState next, string reason)
    {
        if (next == State)
        {
            return;
        }

        _transitions.Add(new StateTransition(State, next, reason));
        State = next;
        _stateSince = _now;
        if (next == SupervisorState.Validating)
        {
            BeginPromotion();
        }
    }

    private void Emit(SupervisorAction action) => _actions.Add(action);

    private void NoteError(string error) => _lastError = error;

}

/// <summary>What one event produced.</summary>
internal sealed record MachineOutput(IReadOnlyList<SupervisorAction> Actions, IReadOnlyList<StateTransition> Transitions);
