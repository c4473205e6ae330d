namespace Knd.Failover;

/// <summary>
/// The peer channel (docs/failover-algorithm.md, "The peer channel"). Fast failover: a ready passive
/// that can reach the lock service destroys the session of a leader that can no longer renew, so the
/// lock-delay (which covers the leader's fence bound) starts at once instead of after the session
/// expires. Failsafe: a leader that cannot reach the lock service keeps signing past FenceAfter only
/// while every member has promised not to take the lock, and stops before the oldest promise ends; a
/// member that promised does not take the lock before its promise ends.
/// </summary>
internal sealed partial class FailoverMachine
{
    private readonly PeerRules _peers;
    private readonly Dictionary<string, Promise> _promises = new(StringComparer.Ordinal);
    private readonly HashSet<string> _destroyedLeaderSessions = new(StringComparer.Ordinal);
    private IReadOnlyList<string> _members = [];
    private bool _membersKnown;
    private Heartbeat? _heartbeat;
    private TimeSpan _promisedUntil;
    private TimeSpan _nextPromiseRequestAt;
    private bool _reanchoring;
    private string? _sessionBeforeReanchor;

    /// <summary>The last heartbeat of a leader: who, with which session, its renewal age then, and when it came.</summary>
    private sealed record Heartbeat(string NodeId, string SessionId, TimeSpan RenewAge, TimeSpan At, TimeSpan? FenceBound);

    /// <summary>A member's promise to this leader: binding until <paramref name="Until"/> on this node's clock (drift allowed for).</summary>
    private sealed record Promise(TimeSpan Until);

    private void ApplyPeerEvent(SupervisorEvent peerEvent)
    {
        switch (peerEvent)
        {
            case PeerMembersEvent members:
                _members = [.. members.NodeIds.Where(n => n != _nodeId)];
                _membersKnown = true;
                break;
            case LeaderHeartbeatEvent heartbeat when heartbeat.NodeId != _nodeId:
                _heartbeat = new Heartbeat(heartbeat.NodeId, heartbeat.SessionId, heartbeat.RenewAge, _now, heartbeat.FenceBound);
                break;
            case PromiseRequestedEvent request:
                AnswerPromise(request);
                break;
            case PromiseAnsweredEvent { Granted: true } answer:
                // The member's promise runs from when it received the request, after we sent it, on its own clock.
                _promises[answer.Member] = new Promise(answer.SentAt + (answer.Duration * (1 - _peers.ClockDriftAllowance)));
                break;
            case PromiseAnsweredEvent refused:
                // A refusal does not void a promise the member gave earlier: that one still binds it until it ends.
                NoteError($"{refused.Member} refused the failsafe promise: {refused.Reason}");
                break;
        }
    }

    /// <summary>
    /// A member promises only while the lock service is down for it too, and it neither leads nor is
    /// taking the lock. A member that reaches the lock service refuses: the outage is then the
    /// leader's own (a partition), and the leader's fence and session expiry must take their course,
    /// so contract §4.3 still holds for it. A promise binds this node: it does not take the lock before
    /// it ends.
    /// </summary>
    private void AnswerPromise(PromiseRequestedEvent request)
    {
        string? refusal = null;
        if (!_peers.Failsafe)
        {
            refusal = "the failsafe is off on this node";
        }
        else if (State == SupervisorState.Validating || _lock != LockPhase.NotHeld)
        {
            refusal = $"this node holds or is taking the lock ({State})";
        }
        else if (request.LockServiceReachable)
        {
            refusal = _observed?.Holder is { } holder && holder != request.SessionId
                ? $"this node reaches the lock service and sees the lock held by session {holder}"
                : "this node reaches the lock service: the outage is the requester's own, so its fence applies";
        }

        if (refusal is not null)
        {
            Emit(new AnswerPromiseAction(request.RequestId, false, TimeSpan.Zero, refusal));
            return;
        }

        var until = _now + request.Duration;
        if (until > _promisedUntil)
        {
            _promisedUntil = until;
        }

        Emit(new AnswerPromiseAction(request.RequestId, true, request.Duration, null));
    }

    /// <summary>Whether this node's own renewals currently succeed (its session was renewed within a renew interval and a retry).</summary>
    private bool ReachesLockService => _sessionId is not null && _now - _lastRenewOkSentAt < _timings.RenewInterval + _timings.ConsulRequestTimeout;

    /// <summary>While a promise this node gave runs, it does not take the lock.</summary>
    private bool PromiseAllowsTakeover() => _now >= _promisedUntil;

    /// <summary>
    /// Fast failover, on a passive: the lock holder heartbeated before (so it runs a peer channel) and
    /// now either went silent or says its renewals stopped; this node can reach the lock service and
    /// could lead. Destroying its session starts the lock-delay, which is at least the fence bound:
    /// the leader's last successful renewal was processed before the destroy, so its neard is dead by
    /// then (docs/failover-algorithm.md, inequality (3)).
    /// </summary>
    private void DestroySilentLeader()
    {
        if (!_peers.FastFailover || _observed is not { Holder: { } holder, Value: { } value } || holder == _sessionId
            || _heartbeat is not { } beat || beat.SessionId != holder || _destroyedLeaderSessions.Contains(holder)
            || !ReachesLockService || !IsSynced || IsUnhealthy(out _) || _paused || !PromiseAllowsTakeover())
        {
            // A member that promised this leader not to take the lock does not cut it short either:
            // at a Consul outage's end the leader's renewal age is long, and it may sign on under the
            // promises until its next renewal lands (a 3-trial benchmark saw the destroy win that race).
            return;
        }

        var silentFor = _now - beat.At;
        var renewAge = beat.RenewAge + silentFor;
        if (silentFor < _peers.LeaderSilence && renewAge < _timings.RenewInterval + _peers.LeaderSilence)
        {
            return;
        }

        _destroyedLeaderSessions.Add(holder);
        NoteError($"fast failover: leader {value.NodeId} {(silentFor >= _peers.LeaderSilence ? $"silent for {silentFor.TotalMilliseconds:0}ms" : $"has not renewed for {renewAge.TotalMilliseconds:0}ms")}; destroying its session {holder}");
        Emit(new DestroyLeaderSessionAction(holder, value.NodeId));
    }

    /// <summary>
    /// The fence bound of whoever held the lock before the lock service lost its state, when this node
    /// knows it: this node itself, or the leader whose heartbeats named that session and reported it.
    /// Null when it does not (a knd that just started, a new cluster, a holder without the peer channel).
    /// </summary>
    private TimeSpan? KnownHolderFenceBound(LockObservation? before)
    {
        if (before?.Holder is not { } holder)
        {
            return null;
        }

        if (holder == _sessionId)
        {
            return _timings.FenceBound;
        }

        return _heartbeat is { FenceBound: { } bound } beat && beat.SessionId == holder ? bound : null;
    }

    /// <summary>While taking the lock back: a holder that is neither our new session nor the one we lost is someone else.</summary>
    private bool HeldByAnotherWhileReanchoring() =>
        _reanchoring && _observed?.Holder is { } holder && holder != _sessionId && holder != _sessionBeforeReanchor;

    /// <summary>
    /// Every known member, and every node on the failsafe list this node published in this tenure, has
    /// promised, and the earliest promise leaves time for a bounded stop. Until the member list has come
    /// at all, nothing covers (an empty list would need nobody's promise); nor before the member record
    /// shows this node's failsafe list, since until then a host it never saw is bound by nothing.
    /// </summary>
    private bool FailsafeCovers()
    {
        if (!_peers.Failsafe || !_membersKnown || !RosterPublished)
        {
            return false;
        }

        foreach (var member in _members.Concat(_roster))
        {
            if (!_promises.TryGetValue(member, out var promise) || promise.Until - FailsafeStopBudget <= _now)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>From the decision to stop until neard's confirmed exit: a tick, the SIGTERM grace, the kill confirmation.</summary>
    private TimeSpan FailsafeStopBudget => _timings.TickInterval + _timings.NeardStopTimeout + _timings.NeardKillConfirmTimeout;

    /// <summary>
    /// The leader asks for promises as soon as a renewal failed or is overdue, so they are in hand
    /// before FenceAfter: at a 3 s TTL, waiting for the overdue age alone left 600 ms for the round
    /// trip to every member, which a loaded host can miss.
    /// </summary>
    private void RequestPromisesWhenDue()
    {
        if (!_peers.Failsafe || State != SupervisorState.Validating || _leaderPhase == LeaderPhase.Demoting || (_sessionId is null && !_reanchoring))
        {
            return;
        }

        var renewFailedSinceOk = _renewFailedAt is { } failedAt && failedAt > _lastRenewOkSentAt;
        var overdue = renewFailedSinceOk || _now - _lastRenewOkSentAt >= _timings.RenewInterval + _timings.RenewRetryInterval || _reanchoring;
        if (overdue && _now >= _nextPromiseRequestAt)
        {
            _nextPromiseRequestAt = _now + _peers.PromiseRequestInterval;
            Emit(new RequestPromisesAction(_sessionId ?? string.Empty, _peers.PromiseDuration));
        }
        else if (!overdue)
        {
            _promises.Clear();
        }
    }

    /// <summary>
    /// The lock service answered that this leader's session or lock is gone (it lost its state) while
    /// every member's promise covers this leader: keep signing, and take the lock again with a new
    /// session; the members' hold-off after a lost key applies to them, not to the leader they promised.
    /// </summary>
    private bool Reanchor(string why)
    {
        if (!FailsafeCovers())
        {
            return false;
        }

        if (!_reanchoring)
        {
            _reanchoring = true;
            NoteError($"failsafe: {why}; every member promised, so this leader keeps signing and takes the lock again");
            _transitions.Add(new StateTransition(State, State, $"failsafe re-anchor: {why}"));
        }

        if (_sessionLost || _sessionId is null)
        {
            _sessionBeforeReanchor ??= _sessionId;
            _sessionId = null;
            _sessionLost = false;
            _renewInFlight = false;
            if (!_creatingSession && _now >= _nextCreateAt)
            {
                _creatingSession = true;
                Emit(new CreateSessionAction());
            }

            return true;
        }

        if (_lock is LockPhase.Held or LockPhase.NotHeld && !_lockRequestInFlight && _now >= _nextLockAttemptAt)
        {
            _lock = LockPhase.Acquiring;
            _lockRequestInFlight = true;
            Emit(new AcquireLockAction(_sessionId));
        }
        else if (_lock == LockPhase.Confirming && !_lockRequestInFlight)
        {
            _lockRequestInFlight = true;
            Emit(new ConfirmLockAction(_sessionId));
        }

        return true;
    }

    private PeerView PeerSnapshot() => new(
        IsLeader && FailsafeCovers(),
        _promises.Count,
        _reanchoring,
        _now < _promisedUntil ? _promisedUntil - _now : null,
        WantedRoster,
        RosterPublished,
        _rosterRefusal);
}
