
namespace Knd.Failover;

/// <summary>What the machine knows: neard, its health, the session, the lock. Updated by events only.</summary>
internal sealed partial class FailoverMachine
{
    private enum NeardPhase
    {
        Stopped,
        Starting,
        Running,
        Stopping,
    }

    private enum LockPhase
    {
        NotHeld,
        Acquiring,
        Confirming,
        Held,
        Releasing,
    }

    // neard
    private NeardPhase _neardPhase = NeardPhase.Stopped;
    private NeardMode _neardMode = NeardMode.Voter;
    private int _generation;
    private int? _neardPid;
    private TimeSpan _neardStartedAt;
    private TimeSpan _restartNotBefore;
    private bool _neardExitedOnItsOwn;
    private bool _stopUnconfirmed;
    private TimeSpan _stopRetryAt;
    private bool _validatorKeyMayBePresent = true;

    // health of the current neard
    private bool _answered;
    private int _consecutiveFailures;
    private long? _head;
    private TimeSpan _headAdvancedAt;
    private bool? _syncing;
    private TimeSpan? _syncingSince;
    private string? _reportedValidator;

    // session
    private string? _sessionId;
    private bool _creatingSession;
    private TimeSpan _nextCreateAt;
    private TimeSpan _createBackoff;
    private bool _renewInFlight;
    private TimeSpan _lastRenewOkSentAt;
    private TimeSpan? _renewFailedAt;
    private TimeSpan _nextRenewAt;
    private bool _sessionLost;

    // lock
    private LockPhase _lock = LockPhase.NotHeld;
    private bool _lockRequestInFlight;
    private TimeSpan _nextLockAttemptAt;
    private ulong _fencingIndex;
    private LockObservation? _observed;
    private TimeSpan _observedAt;
    private bool _watchBroken;
    private ulong _watchHighWater;
    private TimeSpan _heldSince;
    private bool _paused;

    // the lock service's memory, and failed promotions
    private TimeSpan _takeNotBefore;
    private ulong _holdOffMark;
    private TimeSpan? _stateLostAt;
    private TimeSpan _promoteNotBefore;
    private int _consecutivePromotionFailures;

    private void Apply(SupervisorEvent supervisorEvent)
    {
        switch (supervisorEvent)
        {
            case TickEvent:
                break;
            case StopRequestedEvent:
                _stopRequested = true;
                break;
            case NeardStartedEvent started when started.Generation == _generation && _neardPhase == NeardPhase.Starting:
                _neardPhase = NeardPhase.Running;
                _neardPid = started.Pid;
                _neardStartedAt = _now;
                ResetHealth();
                break;
            case NeardStartFailedEvent failed when failed.Generation == _generation:
                _neardPhase = NeardPhase.Stopped;
                _neardPid = null;
                _neardExitedOnItsOwn = true;
                _restartNotBefore = _now + _timings.NeardRestartBackoff;
                NoteError($"neard did not start: {failed.Error}");
                break;
            case NeardExitedEvent exited when exited.Generation == _generation:
                ApplyNeardExited(exited);
                break;
            case NeardStoppedEvent stopped when stopped.Generation == _generation:
                ApplyNeardStopped(stopped);
                break;
            case KeyInstalledEvent installed when installed.Generation == _generation:
                ApplyKeyInstalled(installed);
                break;
            case StatusPolledEvent polled when polled.Generation == _generation && _neardPhase == NeardPhase.Running:
                ApplyHealth(polled.Sample);
                break;
            case SessionCreatedEvent created:
                ApplySessionCreated(created);
                break;
            case SessionCreateFailedEvent createFailed:
                _creatingSession = false;
                _nextCreateAt = _now + _createBackoff;
                _createBackoff = _createBackoff * 2 > _timings.CreateBackoffMax ? _timings.CreateBackoffMax : _createBackoff * 2;
                NoteError($"session create failed: {createFailed.Error}");
                break;
            case SessionRenewedEvent renewed when renewed.SessionId == _sessionId:
                _renewInFlight = false;
                if (renewed.SentAt > _lastRenewOkSentAt)
                {
                    _lastRenewOkSentAt = renewed.SentAt;
                }

                // From when it was sent, not when it answered: with a slow service, answer-based
                // scheduling adds one round trip per renewal until the age passes FenceAfter.
                _nextRenewAt = renewed.SentAt + _timings.RenewInterval;
                break;
            case SessionRenewFailedEvent renewFailed when renewFailed.SessionId == _sessionId:
                _renewInFlight = false;
                _nextRenewAt = _now + _timings.RenewRetryInterval;
                _renewFailedAt = _now;
                if (renewFailed.Error.Kind == LockServiceFailure.SessionGone)
                {
                    _sessionLost = true;
                }

                NoteError($"session renew failed: {renewFailed.Error}");
                break;
            case SessionDestroyedEvent destroyed:
                _destroying.Remove(destroyed.SessionId);
                break;
            case AcquireCompletedEvent acquired when acquired.SessionId == _sessionId && _lock == LockPhase.Acquiring:
                ApplyAcquire(acquired);
                break;
            case LockConfirmedEvent confirmed when confirmed.SessionId == _sessionId && _lock == LockPhase.Confirming:
                ApplyConfirm(confirmed);
                break;
            case LockReleasedEvent released when _lock == LockPhase.Releasing:
                _lockRequestInFlight = false;
                _lock = LockPhase.NotHeld;
                if (!released.Ok)
                {
                    NoteError("lock release failed; the session will be destroyed or expire");
                }

                break;
            case LockObservedEvent observed:
                ApplyObservation(observed.Observation);
                break;
            case LockCheckedEvent check:
                ApplyLockChecked(check);
                break;
            case LockWatchFailedEvent watchFailed:
                // The next answer may come from a service that restarted: it cannot continue a streak.
                _watchBroken = true;
                NoteError($"lock watch failed: {watchFailed.Error}");
                break;
            case PauseObservedEvent pause:
                _paused = pause.Paused;
                break;
            case HandoverNowEvent handover:
                _handoverRequestedTo = handover.Target;
                _handoverReason = handover.Reason;
                break;
            case ProductionObservedEvent production:
                ApplyProduction(production);
                break;
            case ProductionObserveFailedEvent:
                _observerFailing = true;
                break;
            case ContendersObservedEvent contenders:
                _contenders = contenders.Contenders;
                break;
            case PeerMembersEvent or LeaderHeartbeatEvent or PromiseRequestedEvent or PromiseAnsweredEvent:
                ApplyPeerEvent(supervisorEvent);
                break;
            case FailsafeRostersObservedEvent or FailsafeRosterPublishedEvent:
                ApplyRosterEvent(supervisorEvent);
                break;
            case MaintenanceScheduledEvent scheduled:
                ApplyMaintenanceScheduled(scheduled);
                break;
            case MaintenanceCancelledEvent:
                _maintenance = null;
                _maintenanceHeight = null;
                break;
            case MaintenanceNowEvent now:
                ApplyMaintenanceNow(now);
                break;
            case PrePromoteFinishedEvent finished:
                ApplyPrePromoteFinished(finished);
                break;
        }
    }

    private void ApplyNeardExited(NeardExitedEvent exited)
    {
        _neardExitedOnItsOwn = _neardPhase is NeardPhase.Running or NeardPhase.Starting;
        if (_neardExitedOnItsOwn && exited.ExitCode == 0 && _maintenance is not null && _maintenanceGeneration == exited.Generation)
        {
            // neard stops itself with code 0 at expected_shutdown: the planned maintenance, not a crash.
            _maintenanceReached = true;
            _neardPhase = NeardPhase.Stopped;
            _neardPid = null;
            _stopUnconfirmed = false;
            _restartNotBefore = _now;
            return;
        }

        if (_neardExitedOnItsOwn)
        {
            Counters.NeardRestarts++;
            _restartNotBefore = _now + _timings.NeardRestartBackoff;
            NoteError($"neard (pid {exited.Pid}) exited with code {exited.ExitCode}");
        }

        _neardPhase = NeardPhase.Stopped;
        _neardPid = null;
        _stopUnconfirmed = false;
    }

    private void ApplyNeardStopped(NeardStoppedEvent stopped)
    {
        if (stopped.Confirmed)
        {
            _neardPhase = NeardPhase.Stopped;
            _neardPid = null;
            _stopUnconfirmed = false;
            return;
        }

        // The kernel has not confirmed the exit: the process may still hold the key. Keep the lock
        // (and so every other node out) and keep killing; never release on an unconfirmed stop.
        _stopUnconfirmed = true;
        _stopRetryAt = _now + _timings.UnconfirmedStopRetry;
        NoteError($"neard stop not confirmed: {stopped.Outcome}");
    }

    /// <summary>
    /// Takes one answer of the lock watch. With Behavior=release the lock key never disappears and the
    /// service's index never goes backwards in normal operation, so either means the service lost (or
    /// rolled back) its state: nobody may then take the lock before <see cref="FailoverTimings.ForgottenStateWait"/>
    /// from this sighting (with fast failover and a known old holder, <see cref="FailoverTimings.ForgottenStateWaitFor"/>),
    /// and a leader stops at once (docs/failover-algorithm.md, "Consul loses its state").
    /// </summary>
    private void ApplyObservation(LockObservation observation)
    {
        var previous = _observed;
        var mark = Math.Max(observation.Index, observation.ModifyIndex);
        var highWater = _watchHighWater;
        var wentBack = highWater > 0 && mark < highWater;
        var newlyMissing = !observation.Exists && (previous is null || previous.Exists || _watchBroken);
        _watchHighWater = wentBack ? mark : Math.Max(highWater, mark);
        _watchBroken = false;
        TrackLockFree(previous, observation);
        _observed = observation;
        _observedAt = _now;
        if (observation.Holder is not null && observation.ModifyIndex > _holdOffMark && _takeNotBefore > _now)
        {
            // A session took the key after the sighting: it waited out its own hold-off (or is the
            // leader its members promised), so whoever signed before the loss is gone by now.
            _takeNotBefore = _now;
        }

        var wait = KnownHolderFenceBound(previous) is { } fence ? _timings.ForgottenStateWaitFor(fence) : _timings.ForgottenStateWait;
        if (wentBack)
        {
            _stateLostAt = _now;
            _holdOffMark = mark;
            HoldOffTakeover(wait, $"the lock service's index went back from {highWater} to {mark}: it lost or restored its state");
            if (State != SupervisorState.Validating && _lock == LockPhase.Held)
            {
                // Never promoted under that lock (no key in neard): the service no longer knows it anyway.
                _lock = LockPhase.NotHeld;
            }
        }
        else if (newlyMissing)
        {
            _holdOffMark = mark;
            HoldOffTakeover(wait, "the lock key is missing: a new cluster, or a lock service that lost its state");
        }
    }

    private void HoldOffTakeover(TimeSpan wait, string why)
    {
        var until = _now + wait;
        if (until > _takeNotBefore)
        {
            _takeNotBefore = until;
        }

        NoteError($"{why}; no node takes the lock for {wait.TotalSeconds:0.##}s");
    }

    private void ResetHealth()
    {
        _answered = false;
        _consecutiveFailures = 0;
        _head = null;
        _headAdvancedAt = _now;
        _syncing = null;
        _syncingSince = null;
        _reportedValidator = null;
        _neardExitedOnItsOwn = false;
    }

    private void ApplyHealth(NeardHealthSample sample)
    {
        if (!sample.Ok)
        {
            _consecutiveFailures++;
            return;
        }

        _answered = true;
        _consecutiveFailures = 0;
        if (State == SupervisorState.Validating && sample.ValidatorAccountId == _accountId)
        {
            NotePromotionVerified();
        }

        if (_head is null || sample.HeadHeight > _head)
        {
            _headAdvancedAt = _now;
        }

        _head = sample.HeadHeight ?? _head;
        _syncing = sample.Syncing;
        _syncingSince = sample.Syncing == true ? _syncingSince ?? _now : null;
        _reportedValidator = sample.ValidatorAccountId;
        if (_keyInstalledAt is not null && _reportedValidator == _accountId)
        {
            // neard reports the hot-swapped key: the promotion is verified.
            _keyInstalledAt = null;
        }
    }

    /// <summary>Whether the running neard is unhealthy; <paramref name="why"/> says how.</summary>
    private bool IsUnhealthy(out string why)
    {
        why = string.Empty;
        if (_neardPhase != NeardPhase.Running)
        {
            return false;
        }

        if (!_answered)
        {
            if (_now - _neardStartedAt > _timings.NeardStartupTimeout)
            {
                why = $"neard RPC did not answer within {_timings.NeardStartupTimeout.TotalSeconds:0}s of start";
                return true;
            }

            return false;
        }

        if (_consecutiveFailures >= _timings.UnhealthyAfterFailures)
        {
            why = $"{_consecutiveFailures} consecutive neard RPC failures";
            return true;
        }

        if (_syncing == false && _now - _headAdvancedAt > _timings.NeardStallTimeout)
        {
            why = $"neard head stuck at {_head} for {(_now - _headAdvancedAt).TotalSeconds:0}s";
            return true;
        }

        return false;
    }

    private bool IsSynced => _neardPhase == NeardPhase.Running && _answered && _syncing == false;

    private void ApplySessionCreated(SessionCreatedEvent created)
    {
        _creatingSession = false;
        _createBackoff = _timings.CreateBackoffMin;
        var reanchorSession = State == SupervisorState.Validating && _reanchoring && _sessionId is null && !_stopRequested;
        if (reanchorSession)
        {
            _sessionId = created.SessionId;
            _lock = LockPhase.NotHeld;
            _lockRequestInFlight = false;
            _lastRenewOkSentAt = created.SentAt;
            _nextRenewAt = created.SentAt + _timings.RenewInterval;
            return;
        }

        if (State != SupervisorState.Registering || _sessionId is not null || _stopRequested)
        {
            // Created after we stopped wanting it (a race with a state change): do not leak it.
            DestroySession(created.SessionId);
            return;
        }

        _sessionId = created.SessionId;
        _sessionLost = false;
        _lastRenewOkSentAt = created.SentAt;
        _nextRenewAt = created.SentAt + _timings.RenewInterval;
    }

    private void ApplyAcquire(AcquireCompletedEvent acquired)
    {
        _lockRequestInFlight = false;
        switch (acquired.Outcome)
        {
            case LockAcquireOutcome.Acquired:
                _lock = LockPhase.Confirming;
                _nextLockAttemptAt = _now;
                break;
            case LockAcquireOutcome.SessionGone:
                _lock = LockPhase.NotHeld;
                _sessionLost = true;
                break;
            case LockAcquireOutcome.Failed:
                _lock = LockPhase.NotHeld;
                _nextLockAttemptAt = _now + _timings.AcquireRetryInterval;
                NoteError($"lock acquire failed: {acquired.Error}");
                break;
            default:
                _lock = LockPhase.NotHeld;
                _nextLockAttemptAt = _now + _timings.AcquireRetryInterval;
                break;
        }
    }

    private void ApplyConfirm(LockConfirmedEvent confirmed)
    {
        _lockRequestInFlight = false;
        if (confirmed.Error is { } error)
        {
            // The acquire went through but the consistent read did not: stay out of Validating and retry.
            _nextLockAttemptAt = _now + _timings.AcquireRetryInterval;
            NoteError($"lock confirmation read failed: {error}");
            return;
        }

        if (confirmed.HeldByUs)
        {
            _lock = LockPhase.Held;
            _fencingIndex = confirmed.FencingIndex;
            _heldSince = _now;
            if (_reanchoring)
            {
                // The lock is ours again under the new session: back to the ordinary rules. What the
                // lock watch reported before this consistent read is older than it, and may come from
                // the service as it was before it lost its state, whose indexes can exceed the new
                // fencing index: its holder must not read as the lock taken from us, nor the new
                // service's lower indexes as another loss (issue 14's benchmark caught both).
                _reanchoring = false;
                _sessionBeforeReanchor = null;
                _stateLostAt = null;
                if (_observed is { } seen && seen.Holder != _sessionId)
                {
                    _observed = null;
                }

                _watchHighWater = Math.Min(_watchHighWater, _fencingIndex);
                NoteError($"failsafe: took the lock back (fencing index {_fencingIndex})");
            }
        }
        else
        {
            _lock = LockPhase.NotHeld;
            _nextLockAttemptAt = _now + _timings.AcquireRetryInterval;
        }
    }

    private void ApplyKeyInstalled(KeyInstalledEvent installed)
    {
        _keyInstallInFlight = false;
        if (installed.Error is { } error)
        {
            _promotionFailed = true;
            NoteError($"hot swap failed: {error}");
            return;
        }

        _validatorKeyMayBePresent = true;
        _neardMode = NeardMode.Validator;
        _keyInstalledAt = _now;
    }
}
