namespace Knd.Localnet;

/// <summary>
/// Duty heights of the validator account that nobody signed, counted from the first signature of
/// the run (before it the cluster is still starting). A height counts once it is over: one block
/// interval plus a grace for the ledger write. Each missed height is charged to the node the
/// localnet saw leading (Validating, holding the lock) when the height began, or to nobody when no
/// node was leading: a leader that misses its own duties is a bug, a gap with no leader is a failover.
/// </summary>
internal sealed class MissedDuties
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);
    private readonly ChainSchedule _chain;
    private readonly string _account;
    private readonly List<(DateTimeOffset Time, string? Leader)> _leaders = [];
    private readonly Dictionary<string, int> _byNode = new(StringComparer.Ordinal);
    private readonly List<long> _missed = [];
    private long? _next;

    public MissedDuties(ChainSchedule chain, string account)
    {
        _chain = chain;
        _account = account;
    }

    public int Total => _missed.Count;

    /// <summary>Missed while no node was leading.</summary>
    public int WithoutLeader { get; private set; }

    public IReadOnlyList<long> Heights => _missed;

    public int Of(string nodeId) => _byNode.GetValueOrDefault(nodeId);

    /// <summary>Missed heights in [from, toExclusive).</summary>
    public int Between(long from, long toExclusive) => _missed.Count(h => h >= from && h < toExclusive);

    /// <summary>Takes one poll: who leads now, and which heights are over.</summary>
    public void Update(ClusterSnapshot snapshot, Ledger ledger)
    {
        var leaders = snapshot.Leaders;
        _leaders.Add((snapshot.Time, leaders.Count == 1 ? leaders[0].NodeId : null));
        if (_next is null)
        {
            if (ledger.Entries.FirstOrDefault(e => e.AccountId == _account) is not { } first)
            {
                return;
            }

            _next = first.Height;
        }

        var over = _chain.HeadAt(snapshot.Time - Grace);
        for (var h = _next.Value; h < over; h++)
        {
            if (_chain.HasDuty(_account, h) && !ledger.IsSigned(_account, h))
            {
                _missed.Add(h);
                if (LeaderAt(_chain.TimeOf(h)) is { } node)
                {
                    _byNode[node] = _byNode.GetValueOrDefault(node) + 1;
                }
                else
                {
                    WithoutLeader++;
                }
            }
        }

        _next = Math.Max(_next.Value, over);

        // Only the last observation before the next pending height can still be asked for.
        var start = _chain.TimeOf(_next.Value);
        var keepFrom = _leaders.FindLastIndex(l => l.Time <= start);
        if (keepFrom > 0)
        {
            _leaders.RemoveRange(0, keepFrom);
        }
    }

    private string? LeaderAt(DateTimeOffset time)
    {
        string? leader = null;
        foreach (var (at, node) in _leaders)
        {
            if (at > time)
            {
                break;
            }

            leader = node;
        }

        return leader;
    }
}
