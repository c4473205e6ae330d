
namespace Knd.Failover;

/// <summary>
/// Validating: promotion, the safety checks of contract §4, and demotion. Demotion always stops the
/// validating neard and waits for its confirmed exit before the lock is released or the session
/// destroyed; it never removes the key from a running neard (neard 2.0–2.2 keeps signing then).
/// </summary>
internal sealed partial class FailoverMachine
{
    private enum LeaderPhase
    {
        Promoting,
        Active,
        Demoting,
    }

    private LeaderPhase _leaderPhase;
    private DemotionReason _demotionReason;
    private string? _handoverTo;
    private bool _keyInstallInFlight;
    private bool _promotionFailed;
    private TimeSpan? _keyInstalledAt;
    private bool _validatorStartIssued;
    private bool _promotionVerified;
    private bool _startHeldForRenewal;

    /// <summary>The reason the last demotion happened, for logs and tests.</summary>
    public DemotionReason? LastDemotion { get; private set; }

    private void BeginPromotion()
    {
        _leaderPhase = LeaderPhase.Promoting;
        _handoverRequestedTo = null;
        _promotionFailed = false;
        _keyInstalledAt = null;
        _validatorStartIssued = false;
        _startHeldForRenewal = false;
        _promotionVerified = false;
        _handoverTo = null;
        _restartFallbackDone = false;
        _activePromotion = _promotion;
        StartLeaderTally();
        Counters.Promotions++;
        if (_activePromotion == PromotionMode.HotSwap && _neardPhase == NeardPhase.Running)
        {
            AssertMaySign("hot-swap the validator key into neard");
            _keyInstallInFlight = true;
            _validatorKeyMayBePresent = true;
            Emit(new InstallKeyAction(_generation));
        }
        else
        {
            StopNeard("restart with the validator key");
        }
    }

    private void EvaluateValidating()
    {
        if (_leaderPhase != LeaderPhase.Demoting && MustDemote(out var reason, out var why))
        {
            BeginDemotion(reason, why);
        }

        RenewWhenDue();
        RequestPromisesWhenDue();
        if (_leaderPhase == LeaderPhase.Active && PromotionProducesNothing && _activePromotion == PromotionMode.HotSwap && !_restartFallbackDone)
        {
            FallBackToRestartPromotion();
        }

        switch (_leaderPhase)
        {
            case LeaderPhase.Promoting:
                ContinuePromotion();
                break;
            case LeaderPhase.Demoting:
                ContinueDemotion();
                break;
        }
    }

    /// <summary>Every reason a leader must stop signing, checked on every event while Validating.</summary>
    private bool MustDemote(out DemotionReason reason, out string why)
    {
        var sinceRenew = _now - _lastRenewOkSentAt;
        (reason, why) = (default, string.Empty);
        if (_reanchoring && !FailsafeCovers())
        {
            (reason, why) = (DemotionReason.SelfFence, "the failsafe promises ran out before the lock was taken again");
        }
        else if (sinceRenew >= _timings.FenceAfter && !FailsafeCovers())
        {
            (reason, why) = (DemotionReason.SelfFence, $"no session renewal succeeded for {sinceRenew.TotalMilliseconds:0}ms (fence after {_timings.FenceAfter.TotalMilliseconds:0}ms)");
        }
        else if (HeldByAnotherWhileReanchoring())
        {
            (reason, why) = (DemotionReason.LockLost, $"while taking the lock back, the lock key shows session {_observed!.Holder}");
        }
        else if (_sessionLost && !Reanchor("the lock service reports the session gone"))
        {
            (reason, why) = (DemotionReason.SessionLost, "the lock service reports the session gone");
        }
        else if (_stateLostAt is { } lostAt && lostAt >= _stateSince && !Reanchor("the lock service lost or rolled back its state"))
        {
            (reason, why) = (DemotionReason.StateLost, "the lock service lost or rolled back its state (its index went backwards)");
        }
        else if (LockKeyGone() && !Reanchor("the lock key is gone"))
        {
            (reason, why) = (DemotionReason.LockLost, $"the lock key is gone (index {_observed!.Index})");
        }
        else if (_reanchoring)
        {
            // Signing under the members' promises while the lock is taken again: nothing else applies yet.
            Reanchor("taking the lock back");
        }
        else if (LockTakenFromUs())
        {
            (reason, why) = (DemotionReason.LockLost, $"the lock key shows session {_observed!.Holder ?? "(none)"} at index {_observed.ModifyIndex}");
        }
        else if (_stopRequested)
        {
            (reason, why) = (DemotionReason.Shutdown, "knd is stopping");
        }
        else if (_leaderPhase == LeaderPhase.Active && _neardPhase == NeardPhase.Stopped && _maintenanceReached)
        {
            (reason, why) = (DemotionReason.Maintenance, $"neard stopped at its maintenance height {_maintenanceHeight}");
        }
        else if (_leaderPhase == LeaderPhase.Active && _handoverRequestedTo is { } target && (_handoverReason != DemotionReason.NotProducing || LeaderNotProducing))
        {
            _handoverTo = target;
            (reason, why) = _handoverReason == DemotionReason.NotProducing
                ? (DemotionReason.NotProducing, $"not producing ({_leaderTally.Mischance} misses past the tolerance, more than --max-mischance {_rules.MaxMischance}): handing over to {target}")
                : (DemotionReason.Switchover, $"planned handover to {target}");
        }
        else if (_leaderPhase == LeaderPhase.Active && _neardPhase == NeardPhase.Stopped)
        {
            (reason, why) = (DemotionReason.NeardExit, "the validating neard exited");
        }
        else if (PromotionProducesNothing && (_activePromotion != PromotionMode.HotSwap || _restartFallbackDone))
        {
            (reason, why) = (DemotionReason.PromotionFailed, $"no duty produced in the first {_leaderTally.Missed} duties after the promotion");
        }
        else if (_promotionFailed)
        {
            (reason, why) = (DemotionReason.PromotionFailed, "the validator key could not be installed");
        }
        else if (_keyInstalledAt is { } installedAt && _reportedValidator != _accountId && _now - installedAt > _timings.PromotionVerifyTimeout)
        {
            (reason, why) = (DemotionReason.PromotionFailed, $"neard did not report validator {_accountId} within {_timings.PromotionVerifyTimeout.TotalSeconds:0}s of the hot swap");
        }
        else if (_leaderPhase == LeaderPhase.Active && IsUnhealthy(out var unhealthy))
        {
            (reason, why) = (DemotionReason.Unhealthy, unhealthy);
        }
        else if (_leaderPhase == LeaderPhase.Active && _syncingSince is { } since && _now - since > _timings.NeardStallTimeout)
        {
            (reason, why) = (DemotionReason.OutOfSync, $"neard has been syncing for {(_now - since).TotalSeconds:0}s");
        }

        return why.Length > 0;
    }

    /// <summary>A newer write to the lock key than our own acquisition that is not ours means we lost it.</summary>
    private bool LockTakenFromUs() =>
        _observed is { Exists: true } observed && observed.ModifyIndex > _fencingIndex && observed.Holder != _sessionId;

    /// <summary>The key was deleted after our acquisition (an answer older than it carries a lower index and is ignored).</summary>
    private bool LockKeyGone() =>
        _observed is { Exists: false } observed && observed.Index > _fencingIndex;

    /// <summary>neard reports the validator key: the promotion worked, and past failures no longer count.</summary>
    private void NotePromotionVerified()
    {
        _promotionVerified = true;
        if (_scannedHeight is null)
        {
            // No chain watch: neard reporting the key is the best proof there is.
            _consecutivePromotionFailures = 0;
        }
    }

    /// <summary>
    /// A promotion that ended before neard reported the key (neard died, the hot swap was not picked
    /// up, a wrapper that did not exec lost its child) holds this node off the lock for a back-off that
    /// doubles with each consecutive failure, so a broken host cannot promote many times a second.
    /// </summary>
    private void NotePromotionFailed(DemotionReason reason)
    {
        if (reason == DemotionReason.NotProducing)
        {
            // A silent leader's host stays out of the election long enough not to flap with another broken one.
            _promoteNotBefore = _now + _rules.NotProducingBackoff;
            NoteError($"stepped down for not producing: not contending for the lock for {_rules.NotProducingBackoff.TotalMinutes:0} min");
            return;
        }

        var producedNothing = reason == DemotionReason.PromotionFailed && ProducedNothingSincePromotion;
        if ((_promotionVerified && !producedNothing) || reason is not (DemotionReason.PromotionFailed or DemotionReason.NeardExit or DemotionReason.Unhealthy or DemotionReason.OutOfSync))
        {
            return;
        }

        BackOffPromotion(reason.ToString());
    }

    /// <summary>Counts a failed promotion and holds this node off the lock for the doubling back-off.</summary>
    private void BackOffPromotion(string why)
    {
        Counters.PromotionFailures++;
        _consecutivePromotionFailures++;
        var backoff = _timings.PromotionBackoffMin;
        for (var i = 1; i < _consecutivePromotionFailures && backoff < _timings.PromotionBackoffMax; i++)
        {
            backoff *= 2;
        }

        backoff = backoff > _timings.PromotionBackoffMax ? _timings.PromotionBackoffMax : backoff;
        _promoteNotBefore = _now + backoff;
        NoteError($"promotion failed ({why}, {_consecutivePromotionFailures} in a row): not contending for the lock for {backoff.TotalSeconds:0.#}s");
    }

    private void ContinuePromotion()
    {
        if (_activePromotion == PromotionMode.HotSwap && _neardMode == NeardMode.Validator)
        {
            _leaderPhase = LeaderPhase.Active;
            return;
        }

        if (_keyInstallInFlight)
        {
            return;
        }

        // Restart promotion (or hot swap without a running neard): stop the voter, start the validator.
        RetryUnconfirmedStop();
        if (_neardPhase == NeardPhase.Stopped && !_validatorStartIssued)
        {
            if (!MayStartSigning)
            {
                // Reached only under the failsafe (without it MustDemote fenced first): the voter's stop
                // outlasted the renewals. Hold the start until a renewal lands; if the promises run out
                // first, MustDemote fences with nothing to stop.
                WaitForRenewalBeforeSigning();
                return;
            }

            _validatorStartIssued = true;
            StartNeard(NeardMode.Validator);
            return;
        }

        if (_validatorStartIssued && _neardPhase == NeardPhase.Running)
        {
            _leaderPhase = LeaderPhase.Active;
        }
        else if (_validatorStartIssued && _neardPhase == NeardPhase.Stopped)
        {
            BeginDemotion(DemotionReason.NeardExit, "the validator neard did not start");
        }
    }

    private void WaitForRenewalBeforeSigning()
    {
        if (!_startHeldForRenewal)
        {
            _startHeldForRenewal = true;
            var age = _now - _lastRenewOkSentAt;
            NoteError($"holding the validator start: no session renewal succeeded for {age.TotalMilliseconds:0}ms; the failsafe keeps a running signer, it does not start one");
            _transitions.Add(new StateTransition(State, State, "promotion waits for a session renewal before starting the validator neard"));
        }
    }

    private void BeginDemotion(DemotionReason reason, string why)
    {
        _leaderPhase = LeaderPhase.Demoting;
        _demotionReason = reason;
        LastDemotion = reason;
        Counters.CountDemotion(reason);
        if (reason == DemotionReason.SelfFence)
        {
            Counters.SelfFences++;
        }

        NoteError($"demoting ({reason}): {why}");
        NotePromotionFailed(reason);
        _transitions.Add(new StateTransition(State, State, $"demoting: {why}"));
        StopNeard($"demotion: {reason}");
    }

    private void ContinueDemotion()
    {
        RetryUnconfirmedStop();
        if (_neardPhase != NeardPhase.Stopped || _keyInstallInFlight)
        {
            return;
        }

        // From here no neard of ours runs: removing the key and giving up the lock are safe.
        RemoveValidatorKey();
        var mayRelease = !_sessionLost && _sessionId is not null && _demotionReason != DemotionReason.LockLost;
        if (_lock == LockPhase.Held && mayRelease)
        {
            _lock = LockPhase.Releasing;
            _lockRequestInFlight = true;
            Emit(new ReleaseLockAction(_sessionId!, _handoverTo));
            return;
        }

        if (_lock == LockPhase.Releasing)
        {
            return;
        }

        _lock = LockPhase.NotHeld;
        ForgetLostSession();
        _restartNotBefore = _now;
        _handoverRequestedTo = null;
        _handoverReason = DemotionReason.Switchover;
        if (_demotionReason == DemotionReason.Maintenance)
        {
            _stopRequested |= _maintenance == MaintenanceKind.Shutdown;
        }

        // A maintenance not yet reached is void: the next neard starts without expected_shutdown.
        ClearMaintenance();

        TransitionTo(
            _stopRequested ? SupervisorState.Shutdown : SupervisorState.Startup,
            $"demoted ({_demotionReason}); validating neard stopped");
    }
}
