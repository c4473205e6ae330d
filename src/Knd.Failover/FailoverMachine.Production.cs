namespace Knd.Failover;

/// <summary>
/// The production watch (docs/failover-algorithm.md, "Production watch"): what the chain says the
/// validator produced. It judges a leader that is live but silent, checks a fresh promotion really
/// produces, and keeps every node out of the election while a signer outside the cluster is seen.
/// </summary>
internal sealed partial class FailoverMachine
{
    private readonly ProductionRules _rules;

    /// <summary>The validator account's production, whoever signed it (for the operator).</summary>
    private readonly ProductionTally _tally;

    /// <summary>This node's own production since its current promotion: the basis of every leader decision.</summary>
    private ProductionTally _leaderTally;

    private long? _scannedHeight;
    private TimeSpan _scannedAt;
    private bool _observerFailing;
    private TimeSpan? _lockFreeSince;
    private long? _strangerHeight;

    /// <summary>Blocks that look like a stranger's by this node's view of the lock, waiting for a fresh read to confirm it.</summary>
    private readonly List<(long Height, TimeSpan ProducedAt)> _suspects = [];
    private bool _lockCheckInFlight;

    /// <summary>The lock key as the observation that began the current free streak showed it: a later read that differs means someone held it since.</summary>
    private (bool Exists, ulong ModifyIndex)? _freeStreakKey;
    private TimeSpan? _strangerSeenAt;
    private long? _promotedAtHeight;
    private bool _restartFallbackDone;
    private PromotionMode _activePromotion;

    /// <summary>The leader's count of blocks credited to the account beyond what its own neard produced.</summary>
    private readonly ForeignBlockCheck _foreign = new();

    private void ApplyProduction(ProductionObservedEvent observed)
    {
        _tally.Observe(observed.Produced, observed.Missed);
        _scannedHeight = observed.ToHeight;
        _scannedAt = _now;
        _observerFailing = false;

        // Only a look that starts after the promotion is this node's own production.
        if (State == SupervisorState.Validating && _promotedAtHeight is { } promotedAt && observed.FromHeight >= promotedAt)
        {
            _leaderTally.Observe(observed.Produced, observed.Missed);
            if (observed.Produced > 0)
            {
                // The promotion is proven by production, not only by neard reporting the key.
                _consecutivePromotionFailures = 0;
            }
        }

        if (IsLeader && _leaderPhase == LeaderPhase.Active)
        {
            var fresh = _foreign.Observe(observed);
            if (fresh > 0)
            {
                NoteForeignBlocks(fresh);
            }
        }
        else
        {
            _foreign.Reset();
        }

        foreach (var block in observed.OwnChunks is { Count: > 0 } chunks ? observed.OwnBlocks.Concat(chunks) : observed.OwnBlocks)
        {
            var producedAt = _now - block.ProducedAgo;
            if (IsStranger(producedAt) && _suspects.Count < MaxSuspects && !_suspects.Exists(s => s.Height == block.Height))
            {
                _suspects.Add((block.Height, producedAt));
            }
        }

        CheckSuspects();
    }

    /// <summary>Bounds the suspects kept while a check is under way; a signer that goes on signing is seen again by later blocks.</summary>
    private const int MaxSuspects = 64;

    /// <summary>
    /// A suspect is only a block produced while this node's view of the lock said free; the view can
    /// be stale (an answer that left the service just before a partition, a watch blocked on a
    /// service that no longer answers) while another node of the cluster holds the lock and signs.
    /// So a read sent after the block's production must find the key free and unchanged since the
    /// free streak began (nobody acquired it in between) before the block is named a stranger's.
    /// </summary>
    private void CheckSuspects()
    {
        if (_suspects.Count > 0 && !_lockCheckInFlight)
        {
            _lockCheckInFlight = true;
            Emit(new CheckLockAction());
        }
    }

    private void ApplyLockChecked(LockCheckedEvent check)
    {
        _lockCheckInFlight = false;
        if (check.Error is not null || check.Observation is not { } seen)
        {
            // Unknown: nothing is named. A stranger that goes on signing makes new suspects.
            _suspects.Clear();
            return;
        }

        var unchanged = seen.Holder is null
            && _observed is { Holder: null }
            && _freeStreakKey is { } key
            && key == (seen.Exists, seen.ModifyIndex);
        var covered = _suspects.Where(s => s.ProducedAt < check.SentAt).ToList();
        _suspects.RemoveAll(s => s.ProducedAt < check.SentAt);
        if (unchanged)
        {
            foreach (var (height, producedAt) in covered)
            {
                NoteStranger(height, producedAt);
            }
        }

        CheckSuspects();
    }

    /// <summary>
    /// A block signed with the key that no node of the cluster can have signed: the lock was free
    /// (no holder) from before its production by more than the fence bound (an old leader's neard is
    /// dead by then) plus some slack. While the lock is held it is taken to be the holder's. Under the
    /// failsafe a leader may sign on past its session's end: not while this node's own promise bound it,
    /// nor while the lock's last holder publishes a failsafe member list (it may be signing under its
    /// members' promises, cut off from a Consul that this node still reaches).
    /// </summary>
    private bool IsStranger(TimeSpan producedAt) =>
        !IsLeader
        && _observed is { Holder: null }
        && _lockFreeSince is { } freeSince
        && producedAt > freeSince + _timings.FenceBound + _rules.StrangerSlack
        && producedAt >= _promisedUntil
        && !LastHolderMaySignUnderFailsafe;

    private void NoteStranger(long height, TimeSpan producedAt)
    {
        var first = _strangerSeenAt is not { } seen || _now - seen >= _rules.DoppelgangerWindow;
        _strangerHeight = height;
        _strangerSeenAt = _now;
        Counters.StrangerBlocks++;
        NoteError($"another signer: height {height} was signed with the validator key {(_now - producedAt).TotalSeconds:0.#}s ago while no node of this cluster held the lock; no node promotes for {_rules.DoppelgangerWindow.TotalMinutes:0} min after the last such block");
        if (first && !_paused)
        {
            Emit(new PauseClusterAction($"a signer outside the cluster signed height {height}"));
        }
    }

    /// <summary>
    /// The leader's own duty heights: the chain credits the account with blocks its neard did not
    /// produce. The same guard as for a stranger's block (the window, the cluster-wide pause); the
    /// leader keeps the lock, since stepping down would not stop the other signer (it alerts).
    /// </summary>
    private void NoteForeignBlocks(long fresh)
    {
        var first = _strangerSeenAt is not { } seen || _now - seen >= _rules.DoppelgangerWindow;
        var (from, to) = _foreign.Heights;
        _strangerHeight = to;
        _strangerSeenAt = _now;
        Counters.StrangerBlocks += fresh;
        Counters.ForeignBlocks += fresh;
        NoteError($"another signer: the chain credits the validator key with {_foreign.Credited} {_foreign.Kind} at heights {from} to {to} while this node led, and its neard produced {_foreign.Produced}; no node promotes for {_rules.DoppelgangerWindow.TotalMinutes:0} min after the last such block");
        if (first && !_paused)
        {
            Emit(new PauseClusterAction($"another signer produced {_foreign.Kind} at the leader's duty heights up to {to}"));
        }
    }

    /// <summary>Tracks since when the lock has been free (no holder), for <see cref="IsStranger"/>.</summary>
    private void TrackLockFree(LockObservation? previous, LockObservation observation)
    {
        if (observation.Holder is not null)
        {
            _lockFreeSince = null;
            _freeStreakKey = null;
            _suspects.Clear();
        }
        else if (previous?.Holder is not null || _lockFreeSince is null || _freeStreakKey != (observation.Exists, observation.ModifyIndex))
        {
            // A free key written again (a release by a holder this node never saw, a restored
            // service) starts a new streak: only from here is the lock known free.
            _lockFreeSince = _now;
            _freeStreakKey = (observation.Exists, observation.ModifyIndex);
        }
    }

    /// <summary>Before contending: no stranger seen recently, and (when the chain is being watched) the watch is up to the head.</summary>
    private bool ProductionAllowsTakeover()
    {
        if (_strangerSeenAt is { } seen && _now - seen < _rules.DoppelgangerWindow)
        {
            return false;
        }

        if (_scannedHeight is not { } scanned || _observerFailing)
        {
            // No chain watch running (or neard's RPC fails it): the look-back cannot be had; do not block on it.
            return true;
        }

        return _now - _scannedAt < _rules.ScanFreshness && scanned >= (_head ?? 0) - 1;
    }

    /// <summary>The leader's own production judged silent: over <see cref="ProductionRules.MaxMischance"/> misses in a row since its promotion.</summary>
    private bool LeaderNotProducing => IsLeader && _leaderPhase == LeaderPhase.Active && _leaderTally.OverMax;

    /// <summary>
    /// A fresh promotion that produced nothing in its first <see cref="ProductionRules.MischanceConfidence"/>
    /// duties: the key did not take effect (a hot swap neard did not apply, a node that has not caught up).
    /// </summary>
    private bool PromotionProducesNothing => _leaderPhase == LeaderPhase.Active && ProducedNothingSincePromotion;

    private bool ProducedNothingSincePromotion => _leaderTally.Produced == 0 && _leaderTally.Missed >= _rules.MischanceConfidence;

    private void StartLeaderTally()
    {
        _leaderTally = new ProductionTally(_rules);
        _promotedAtHeight = _head ?? 0;
    }

    /// <summary>
    /// A hot swap that produces nothing gets one restart promotion on the same node, still holding
    /// the lock (nearcore #12030: a swapped-in key can need a restart to take effect); after that the
    /// node gives the lock up.
    /// </summary>
    private void FallBackToRestartPromotion()
    {
        var missed = _leaderTally.Missed;
        _restartFallbackDone = true;
        _activePromotion = PromotionMode.Restart;
        _leaderPhase = LeaderPhase.Promoting;
        _validatorStartIssued = false;
        _startHeldForRenewal = false;
        StartLeaderTally();
        NoteError($"the hot-swapped key produced none of its first {missed} duties; restarting neard with the key");
        _transitions.Add(new StateTransition(State, State, "promotion produced nothing: falling back to a restart promotion"));
        StopNeard("fall back to a restart promotion");
    }

    private ProductionView ProductionSnapshot() => new(
        _tally.Confidence,
        _tally.Mischance,
        _tally.Streak,
        _tally.Rank,
        _tally.Produced,
        _tally.Missed,
        LeaderNotProducing,
        _strangerHeight,
        _strangerSeenAt is { } seen ? _now - seen : null,
        _scannedHeight,
        _strangerSeenAt is { } since && _now - since < _rules.DoppelgangerWindow ? _rules.DoppelgangerWindow - (_now - since) : null,
        _foreign.Foreign > 0 ? new ForeignView(_foreign.Heights.From, _foreign.Heights.To, _foreign.Credited, _foreign.Produced, _foreign.Kind) : null);
}
