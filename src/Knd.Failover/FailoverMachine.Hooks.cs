namespace Knd.Failover;

/// <summary>
/// The pre-promote phase (docs/failover-algorithm.md, "Pre-promote hook"): between the confirmed lock
/// and the promotion, the operator's <c>--pre-promote</c> hook runs while this node holds the lock
/// with no key in neard. It renews the session as usual; exit 0 lets the promotion start, anything
/// else (or no answer in time) gives the lock back and backs off like a failed promotion, and a lock
/// lost meanwhile ends the attempt. The role the shell's <c>--on-role-change</c> hook reports is read here too.
/// </summary>
internal sealed partial class FailoverMachine
{
    private enum PrePromotePhase
    {
        Idle,
        Running,
        Passed,
    }

    private PrePromotePhase _prePromote;
    private int _prePromoteAttempt;
    private TimeSpan _prePromoteStartedAt;
    private ulong _prePromoteFencingIndex;
    private string? _prePromoteVeto;

    /// <summary>True while neard runs (or is demoting from running) with the validator key after a finished promotion: the role "leader" of the hooks.</summary>
    public bool HasValidatorRole => State == SupervisorState.Validating && _leaderPhase == LeaderPhase.Active;

    /// <summary>True while the pre-promote hook runs for the lock this node holds now.</summary>
    public bool PrePromoteRunning => State == SupervisorState.Voting && _lock == LockPhase.Held && _prePromote == PrePromotePhase.Running && _prePromoteFencingIndex == _fencingIndex;

    /// <summary>
    /// Whether the promotion may start under the lock held now: true without a hook, or once the
    /// hook passed for this very acquisition (its fencing index). Otherwise starts the hook or waits for it.
    /// </summary>
    private bool PrePromoteAllows()
    {
        if (_timings.PrePromoteTimeout is not { } timeout)
        {
            return true;
        }

        var sameLock = _prePromoteFencingIndex == _fencingIndex;
        if (_prePromote == PrePromotePhase.Passed && sameLock)
        {
            return true;
        }

        if (_prePromote != PrePromotePhase.Running || !sameLock)
        {
            _prePromoteAttempt++;
            _prePromote = PrePromotePhase.Running;
            _prePromoteStartedAt = _now;
            _prePromoteFencingIndex = _fencingIndex;
            _prePromoteVeto = null;
            Emit(new RunPrePromoteAction(_prePromoteAttempt));
            return false;
        }

        if (LockTakenFromUs() || LockKeyGone())
        {
            // Not ours any more: nothing to release. The hook's answer, when it comes, is stale.
            _prePromote = PrePromotePhase.Idle;
            _lock = LockPhase.NotHeld;
            _nextLockAttemptAt = _now + _timings.AcquireRetryInterval;
            NoteError($"the lock was lost while the pre-promote hook ran (the key shows {_observed!.Holder ?? "no session"}): promotion abandoned");
            return false;
        }

        if (_now - _lastRenewOkSentAt >= _timings.FenceAfter)
        {
            _prePromote = PrePromotePhase.Idle;
            NoteError($"no session renewal succeeded for {(_now - _lastRenewOkSentAt).TotalMilliseconds:0}ms while the pre-promote hook ran: giving the lock back unpromoted");
            ReleaseUnpromotedLock();
            return false;
        }

        if (_prePromoteVeto is null && _now - _prePromoteStartedAt > timeout + _timings.PrePromoteAnswerGrace)
        {
            _prePromoteVeto = $"no answer within {timeout.TotalSeconds:0.#}s";
        }

        if (_prePromoteVeto is { } veto)
        {
            _prePromote = PrePromotePhase.Idle;
            BackOffPromotion($"the pre-promote hook vetoed it: {veto}");
            ReleaseUnpromotedLock();
            return false;
        }

        return false;
    }

    private void ApplyPrePromoteFinished(PrePromoteFinishedEvent finished)
    {
        if (finished.Attempt != _prePromoteAttempt || !PrePromoteRunning)
        {
            return;
        }

        if (finished.Allowed)
        {
            _prePromote = PrePromotePhase.Passed;

            // The hook's time is not time spent waiting for a fresh renewal: the hold limit starts now.
            _heldSince = _now;
        }
        else
        {
            _prePromoteVeto = finished.Outcome;
        }
    }
}
