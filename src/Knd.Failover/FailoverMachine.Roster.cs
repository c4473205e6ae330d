namespace Knd.Failover;

/// <summary>
/// The failsafe member list (docs/failover-algorithm.md, "The failsafe member list"). A leader that
/// signs on under the failsafe is bound by nothing but the promises of the members it knows; a host
/// it never saw (started while every member was cut off from a Consul that itself still runs) would
/// be bound by none. So a failsafe leader publishes, in its own member record, every node whose
/// promise it needs, and is covered only once that list is written; a node that is not on the list
/// the lock's last holder published does not take the lock. Patroni's <c>/failsafe</c> key does the same.
/// </summary>
internal sealed partial class FailoverMachine
{
    /// <summary>Every other member this node has needed a promise from since it took the lock: the list only grows within one tenure.</summary>
    private readonly HashSet<string> _roster = new(StringComparer.Ordinal);
    private bool _rosterTenure;
    private IReadOnlyList<string>? _publishedRoster;
    private IReadOnlyDictionary<string, IReadOnlyList<string>> _rosters = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
    private string? _rosterRefusal;

    private void ApplyRosterEvent(SupervisorEvent rosterEvent)
    {
        switch (rosterEvent)
        {
            case FailsafeRostersObservedEvent observed:
                _rosters = observed.Rosters;
                break;
            case FailsafeRosterPublishedEvent published:
                // The record now says this (writes are one at a time, so the last one written is what it says).
                _publishedRoster = published.Roster;
                break;
        }
    }

    /// <summary>
    /// A tenure runs from taking the lock (or validating) until this node neither validates nor holds
    /// it; within it the list only grows, so a member dropped from the records stays needed until the
    /// next tenure: it may still be on the list the record shows.
    /// </summary>
    private void TrackRosterTenure()
    {
        var holding = _peers.Failsafe
            && (State == SupervisorState.Validating || _lock is LockPhase.Held or LockPhase.Confirming || _reanchoring);
        if (holding != _rosterTenure)
        {
            _rosterTenure = holding;
            _roster.Clear();
        }

        if (_rosterTenure)
        {
            _roster.UnionWith(_members);
        }
    }

    /// <summary>The list this node's member record should publish now: null outside a failsafe tenure.</summary>
    private IReadOnlyList<string>? WantedRoster =>
        _rosterTenure ? [.. _roster.Append(_nodeId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)] : null;

    /// <summary>
    /// The record shows a list that names this node and nobody whose promise this leader does not
    /// need: any node that could pass the takeover rule below is bound by a promise the failsafe asks for.
    /// </summary>
    private bool RosterPublished =>
        _rosterTenure && _publishedRoster is { } written && written.Contains(_nodeId, StringComparer.Ordinal)
        && written.All(n => n == _nodeId || _roster.Contains(n) || _members.Contains(n, StringComparer.Ordinal));

    /// <summary>The lock's last holder (another node) publishes a failsafe member list: it may be signing under its members' promises.</summary>
    private bool LastHolderMaySignUnderFailsafe =>
        _observed?.Value?.NodeId is { } last && last != _nodeId && _rosters.ContainsKey(last);

    /// <summary>
    /// A free lock whose last holder published a failsafe list without this node: that holder may be
    /// signing on under promises that do not bind this node, so this node stays out until the holder
    /// (once it reaches the lock service and sees this node's record) lists it, or an operator
    /// removes the holder's record.
    /// </summary>
    private bool RosterAllowsTakeover()
    {
        if (_observed?.Value?.NodeId is not { } last || last == _nodeId
            || !_rosters.TryGetValue(last, out var roster) || roster.Contains(_nodeId, StringComparer.Ordinal))
        {
            _rosterRefusal = null;
            return true;
        }

        var why = $"not taking the lock: its last holder {last} published a failsafe member list without this node ({string.Join(", ", roster)}); {last} lists this node once it reaches the lock service and sees its record; if {last} is gone for good, delete its member record";
        if (_rosterRefusal != why)
        {
            _rosterRefusal = why;
            NoteError(why);
        }

        return false;
    }
}
