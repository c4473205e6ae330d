using System.Globalization;

namespace Knd.Localnet;

/// <summary>
/// Turns the ledger into failover lines for the live view. A failover is a change of signer, or
/// after a fault the localnet injected, the first signature by a neard process other than the one
/// that signed before it. Its duration runs from the fault (when the localnet injected one), else
/// from when the localnet first saw the old leader stop leading, else from the old signer's last line.
/// </summary>
internal sealed class FailoverWatch
{
    private readonly LocalCluster _cluster;
    private string? _signer;
    private int _signerPid;
    private DateTimeOffset _signerLast;
    private DateTimeOffset? _signerLostAt;
    private DateTimeOffset? _faultAt;
    private HashSet<int> _faultPids = [];

    public FailoverWatch(LocalCluster cluster) => _cluster = cluster;

    public int Failovers { get; private set; }

    /// <summary>The node whose neard signed last.</summary>
    public string? Signer => _signer;

    /// <summary>Remembers an injected fault: the next signature by another neard process ends it.</summary>
    public void NoteFault(DateTimeOffset at, IEnumerable<int> signerPids)
    {
        _faultAt = at;
        _faultPids = [.. signerPids, _signerPid];
    }

    /// <summary>Takes one poll; returns the lines to print.</summary>
    public IReadOnlyList<string> Update(ClusterSnapshot snapshot)
    {
        var lines = new List<string>();
        if (_signer is not null && _signerLostAt is null && snapshot.Node(_signer) is { IsLeader: false })
        {
            _signerLostAt = snapshot.Time;
        }

        foreach (var entry in snapshot.NewEntries)
        {
            if (_cluster.UnitOfHome(entry.Home) is not { } unit)
            {
                continue;
            }

            var afterFault = _faultAt is { } fault && entry.Time >= fault && !_faultPids.Contains(entry.Pid);
            if (_signer is null)
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"leader: {unit.NodeId} signs (first signed height {entry.Height})"));
            }
            else if (unit.NodeId != _signer || afterFault)
            {
                var from = _faultAt ?? _signerLostAt ?? _signerLast;
                Failovers++;
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"failover: {_signer} -> {unit.NodeId} in {(entry.Time - from).TotalSeconds:0.0} s (first signed height {entry.Height})"));
                _faultAt = null;
            }

            _signerLostAt = null;
            (_signer, _signerPid, _signerLast) = (unit.NodeId, entry.Pid, entry.Time);
        }

        return lines;
    }
}
