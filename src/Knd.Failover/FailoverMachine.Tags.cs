namespace Knd.Failover;

/// <summary>
/// The tags (<c>--no-failover</c>, <c>--priority</c>) when the lock is free and not handed to this node;
/// docs/failover-algorithm.md, "Tags".
/// </summary>
internal sealed partial class FailoverMachine
{
    private readonly MemberTags _tags;
    private IReadOnlyList<Contender> _contenders = [];

    /// <summary>When this node first deferred to a better contender for the current free lock; null while not deferring.</summary>
    private TimeSpan? _deferringSince;

    /// <summary>
    /// A <c>--no-failover</c> node never takes a free lock on its own. Any other node defers to a ready
    /// passive with a higher priority (or the same priority and a higher head) for at most
    /// <see cref="FailoverTimings.PriorityDeferral"/>, then contends anyway: a better node that does not
    /// take the lock in that time (dead, its record not yet gone, or its acquire failing) must not leave
    /// the validator without a signer.
    /// </summary>
    private bool TagsAllowTakeover()
    {
        if (_tags.NoFailover)
        {
            return false;
        }

        var better = BetterContender();
        if (better is null)
        {
            _deferringSince = null;
            return true;
        }

        _deferringSince ??= _now;

        // Nobody can acquire during the lock-delay that a dead leader's invalidation started (this node
        // saw the key free after it), so the better node's time to act begins when that delay ends.
        var from = _lockFreeSince is { } freeSince && freeSince + _timings.LockDelay > _deferringSince.Value
            ? freeSince + _timings.LockDelay
            : _deferringSince.Value;
        return _now - from >= _timings.PriorityDeferral;
    }

    private Contender? BetterContender()
    {
        var head = _head ?? 0;
        return _contenders
            .Where(c => c.NodeId != _nodeId && (c.Priority > _tags.Priority || (c.Priority == _tags.Priority && c.Height > head)))
            .OrderByDescending(c => c.Priority)
            .ThenByDescending(c => c.Height)
            .FirstOrDefault();
    }
}
