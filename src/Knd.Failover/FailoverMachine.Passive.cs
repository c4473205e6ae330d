namespace Knd.Failover;

/// <summary>Startup, Syncing, Registering, Voting and Shutdown: every state in which neard runs without the key.</summary>
internal sealed partial class FailoverMachine
{
    private void EvaluateStartup()
    {
        DropSession();
        if (FinishPassiveMaintenance())
        {
            return;
        }

        if (_neardPhase == NeardPhase.Stopped && _now >= _restartNotBefore)
        {
            StartNeard(NeardMode.Voter);
            return;
        }

        if (_neardPhase == NeardPhase.Running && IsUnhealthy(out var why))
        {
            StopNeard(why);
            _restartNotBefore = _now + _timings.NeardRestartBackoff;
            return;
        }

        RetryUnconfirmedStop();
        if (_neardPhase == NeardPhase.Running && _answered)
        {
            TransitionTo(SupervisorState.Syncing, "neard RPC answers");
        }
    }

    private void EvaluateSyncing()
    {
        DropSession();
        if (LeaveWhenNeardDown())
        {
            return;
        }

        if (IsSynced)
        {
            TransitionTo(SupervisorState.Registering, $"neard synced at height {_head}");
        }
    }

    private void EvaluateRegistering()
    {
        if (LeaveWhenNeardDown() || LeaveWhenSyncing())
        {
            return;
        }

        if (_sessionLost)
        {
            ForgetLostSession();
        }

        if (_sessionId is not null)
        {
            TransitionTo(SupervisorState.Voting, $"session {_sessionId} created");
            return;
        }

        if (!_creatingSession && _now >= _nextCreateAt)
        {
            _creatingSession = true;
            Emit(new CreateSessionAction());
        }
    }

    private void EvaluateVoting()
    {
        if (LeaveWhenNeardDown() || LeaveWhenSyncing())
        {
            return;
        }

        if (_sessionLost || _sessionId is null)
        {
            ForgetLostSession();
            TransitionTo(SupervisorState.Registering, "session gone");
            return;
        }

        RenewWhenDue();
        DestroySilentLeader();
        if (_lock == LockPhase.NotHeld && !_lockRequestInFlight && _observed?.Holder is { } holder && holder == _sessionId)
        {
            // The key names our session although no acquire answered yes (a reply lost to a timeout):
            // we hold it, and nobody else can take it until we do something. Confirm and lead.
            _lock = LockPhase.Confirming;
            _nextLockAttemptAt = _now;
        }

        switch (_lock)
        {
            case LockPhase.Held:
                if (PrePromoteAllows())
                {
                    PromoteWhenFresh();
                }

                return;
            case LockPhase.Confirming when !_lockRequestInFlight && _now >= _nextLockAttemptAt:
                _lockRequestInFlight = true;
                Emit(new ConfirmLockAction(_sessionId));
                return;
            case LockPhase.NotHeld when !_lockRequestInFlight && _now >= _nextLockAttemptAt && MayTakeLock():
                _lock = LockPhase.Acquiring;
                _lockRequestInFlight = true;
                Emit(new AcquireLockAction(_sessionId));
                return;
        }
    }

    /// <summary>
    /// Holding the confirmed lock is not enough to sign: the promotion starts only while the last
    /// renewal is fresh (a slow service can age it between the acquire and the confirmation); until
    /// then the node renews at once, and gives the lock back if that takes too long.
    /// </summary>
    private void PromoteWhenFresh()
    {
        var age = _now - _lastRenewOkSentAt;
        if (age < _timings.PromoteWithinRenewalAge)
        {
            TransitionTo(SupervisorState.Validating, $"lock acquired and confirmed (fencing index {_fencingIndex})");
            return;
        }

        if (_now - _heldSince >= _timings.UnpromotedLockHoldLimit)
        {
            NoteError($"giving the lock back unpromoted: no fresh renewal for {age.TotalMilliseconds:0}ms");
            ReleaseUnpromotedLock();
            return;
        }

        if (!_renewInFlight && _nextRenewAt > _now)
        {
            _nextRenewAt = _now;
            RenewWhenDue();
        }
    }

    /// <summary>The lock was won but neard never got the key: hand it straight back, without a lock-delay.</summary>
    private void ReleaseUnpromotedLock()
    {
        _lock = LockPhase.Releasing;
        _lockRequestInFlight = true;
        _nextLockAttemptAt = _now + _timings.AcquireRetryInterval;
        Emit(new ReleaseLockAction(_sessionId!, null));
    }

    /// <summary>Only a synced, healthy, unpaused node with a provably live session contends for a free lock.</summary>
    private bool MayTakeLock()
    {
        if (_observed is null || _observed.Holder is not null || _paused)
        {
            _deferringSince = null;
            _rosterRefusal = null;
            return false;
        }

        // After the service lost its state, or after this node's promotions failed, wait (see the timings).
        if (_now < _takeNotBefore || _now < _promoteNotBefore)
        {
            return false;
        }

        if (!ProductionAllowsTakeover() || !PromiseAllowsTakeover() || !RosterAllowsTakeover())
        {
            return false;
        }

        if (!IsSynced || IsUnhealthy(out _) || _neardMode != NeardMode.Voter)
        {
            return false;
        }

        // A session this node cannot prove alive would have to be fenced the moment it won.
        if (_now - _lastRenewOkSentAt >= _timings.FenceAfter)
        {
            return false;
        }

        var handoverTo = _observed.Value?.HandoverTo;
        if (handoverTo == _nodeId)
        {
            // A switchover addressed to this host: the tags do not hold it back.
            return true;
        }

        if (handoverTo is not null && _now - _observedAt < _timings.HandoverGrace)
        {
            return false;
        }

        return TagsAllowTakeover();
    }

    private void EvaluateShutdown()
    {
        if (_neardPhase is NeardPhase.Running or NeardPhase.Starting)
        {
            StopNeard("knd is stopping");
            return;
        }

        RetryUnconfirmedStop();
        if (_neardPhase != NeardPhase.Stopped)
        {
            return;
        }

        RemoveValidatorKey();
        if (_lock is LockPhase.Held or LockPhase.Confirming && _sessionId is not null && !_sessionLost)
        {
            // Won the lock while stopping: hand it straight back, without a lock-delay.
            _lock = LockPhase.Releasing;
            _lockRequestInFlight = true;
            Emit(new ReleaseLockAction(_sessionId, null));
            return;
        }

        if (_lock is LockPhase.Releasing || (_lock is LockPhase.Acquiring && _lockRequestInFlight))
        {
            return;
        }

        DropSession();
        if (_destroying.Count == 0 && !_creatingSession && !_exitIssued)
        {
            _exitIssued = true;
            Emit(new ExitAction(0));
        }
    }

    /// <summary>neard stopped or became unhealthy while passive: restart it from Startup.</summary>
    private bool LeaveWhenNeardDown()
    {
        if (FinishPassiveMaintenance())
        {
            return true;
        }

        if (_neardPhase is NeardPhase.Stopped or NeardPhase.Stopping)
        {
            TransitionTo(SupervisorState.Startup, _neardExitedOnItsOwn ? "neard exited" : "neard stopped");
            return true;
        }

        if (IsUnhealthy(out var why))
        {
            StopNeard(why);
            _restartNotBefore = _now + _timings.NeardRestartBackoff;
            TransitionTo(SupervisorState.Startup, why);
            return true;
        }

        return false;
    }

    private bool LeaveWhenSyncing()
    {
        if (_syncing == true)
        {
            TransitionTo(SupervisorState.Syncing, "neard fell back to syncing");
            return true;
        }

        return false;
    }

    private void RenewWhenDue()
    {
        if (_sessionId is not null && !_renewInFlight && _now >= _nextRenewAt)
        {
            _renewInFlight = true;
            Emit(new RenewSessionAction(_sessionId));
        }
    }

    /// <summary>Destroys the session unless this node holds the lock with it (the leader path releases first).</summary>
    private void DropSession()
    {
        if (_sessionId is null)
        {
            return;
        }

        if (_lock == LockPhase.Held && State != SupervisorState.Validating && !_lockRequestInFlight)
        {
            // Won in Voting but never promoted (the leader path releases before it leaves Validating).
            ReleaseUnpromotedLock();
            return;
        }

        if (_lock is LockPhase.Held or LockPhase.Releasing)
        {
            return;
        }

        DestroySession(_sessionId);
        _sessionId = null;
        _renewInFlight = false;
        _sessionLost = false;
        _lock = LockPhase.NotHeld;
        _lockRequestInFlight = false;
    }

    private void ForgetLostSession()
    {
        if (_sessionId is not null)
        {
            // The service says it is gone; a destroy is idempotent and clears it if the service was wrong.
            DestroySession(_sessionId);
        }

        _sessionId = null;
        _sessionLost = false;
        _renewInFlight = false;
        _lock = LockPhase.NotHeld;
        _lockRequestInFlight = false;
    }

    private void DestroySession(string sessionId)
    {
        if (_destroying.Add(sessionId))
        {
            Emit(new DestroySessionAction(sessionId));
        }
    }

    private void StartNeard(NeardMode mode)
    {
        if (mode == NeardMode.Validator)
        {
            AssertMaySign("start neard with the validator key");
        }

        _generation++;
        _neardPhase = NeardPhase.Starting;

        // The shell starts every neard without expected_shutdown: a maintenance was for the old one.
        if (!_maintenanceReached)
        {
            ClearMaintenance();
        }

        _neardMode = mode;
        _neardExitedOnItsOwn = false;
        if (mode == NeardMode.Voter)
        {
            // StartNeard(Voter) lays out the passive home, which removes validator_key.json.
            _validatorKeyMayBePresent = false;
        }
        else
        {
            _validatorKeyMayBePresent = true;
        }

        Emit(new StartNeardAction(_generation, mode));
    }

    private void StopNeard(string reason)
    {
        if (_neardPhase is NeardPhase.Running or NeardPhase.Starting)
        {
            _neardPhase = NeardPhase.Stopping;
            _stopUnconfirmed = false;
            Emit(new StopNeardAction(_generation, reason));
        }
    }

    private void RetryUnconfirmedStop()
    {
        if (_neardPhase == NeardPhase.Stopping && _stopUnconfirmed && _now >= _stopRetryAt)
        {
            _stopUnconfirmed = false;
            Emit(new StopNeardAction(_generation, "previous stop not confirmed"));
        }
    }

    private void RemoveValidatorKey()
    {
        if (_validatorKeyMayBePresent && _neardPhase == NeardPhase.Stopped && !_keyInstallInFlight)
        {
            _validatorKeyMayBePresent = false;
            _neardMode = NeardMode.Voter;
            Emit(new RemoveValidatorKeyAction());
        }
    }

    /// <summary>
    /// A signer may start only on the confirmed lock and a renewal younger than FenceAfter. The failsafe
    /// keeps a running signer through a Consul outage; it never starts one.
    /// </summary>
    private bool MayStartSigning =>
        State == SupervisorState.Validating && _lock == LockPhase.Held && _now - _lastRenewOkSentAt < _timings.FenceAfter;

    /// <summary>Contract §4.2 as code: a bug that would let neard sign without the confirmed lock stops knd instead.</summary>
    private void AssertMaySign(string what)
    {
        if (!MayStartSigning)
        {
            throw new InvalidOperationException($"safety invariant violated: tried to {what} in {State} with lock {_lock} and the last renewal {(_now - _lastRenewOkSentAt).TotalMilliseconds:0}ms old");
        }
    }
}
