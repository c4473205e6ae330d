using Knd.Cluster;

namespace Knd.Peers;

/// <summary>
/// The members of the cluster as the failsafe must count them, and where each one's peer channel
/// is. A member whose record disappears is dropped only when Consul's index has not gone backwards:
/// a Consul that lost its data comes back without any member record, and a leader that then forgot
/// its members would need nobody's promise (docs/peer-channel.md, "Members").
/// </summary>
internal sealed class PeerDirectory
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, string?> _members = new(StringComparer.Ordinal);
    private ulong _highestIndex;
    private ulong _appliedIndex;

    /// <summary>Whether the cluster watch has answered at least once.</summary>
    public bool Known { get; private set; }

    /// <summary>
    /// Takes one cluster observation. Returns the member list when it changed (for the machine's
    /// <see cref="PeerMembersEvent"/>), else null.
    /// </summary>
    public IReadOnlyList<string>? Update(ClusterObservation observation)
    {
        lock (_gate)
        {
            if (observation.Index == 0 || observation.Index == _appliedIndex)
            {
                return null;
            }

            _appliedIndex = observation.Index;
            var before = _members.Keys.ToList();
            var trusted = observation.Index >= _highestIndex;
            if (trusted)
            {
                _highestIndex = observation.Index;
                foreach (var gone in _members.Keys.Where(n => observation.Members.All(m => m.Info.NodeId != n)).ToList())
                {
                    _members.Remove(gone);
                }
            }

            foreach (var member in observation.Members)
            {
                // A record without an address (an older knd) keeps the last address seen.
                _members[member.Info.NodeId] = member.Info.PeerAddress ?? _members.GetValueOrDefault(member.Info.NodeId);
            }

            var changed = !Known || !before.SequenceEqual(_members.Keys, StringComparer.Ordinal);
            Known = true;
            return changed ? [.. _members.Keys] : null;
        }
    }

    /// <summary>Every member but <paramref name="self"/>, with its peer address (null when it published none).</summary>
    public IReadOnlyList<(string NodeId, string? Address)> Others(string self)
    {
        lock (_gate)
        {
            return [.. _members.Where(m => m.Key != self).Select(m => (m.Key, m.Value))];
        }
    }
}
