using Knd.Cluster;

namespace Knd.Production;

/// <summary>
/// The shell's half of the silent-leader rule (docs/failover-algorithm.md, "Production watch"): when
/// this node leads and the machine judges it not producing, it names the readiest passive (the
/// switchover's rule, <see cref="ClusterObservation.ReadiestPassive"/>) in a
/// <see cref="HandoverNowEvent"/> with reason <see cref="DemotionReason.NotProducing"/>. With no
/// passive ready it does not step down (a half-working leader beats none): it says so once in the
/// log and in <see cref="ProductionBook.StepDownBlocked"/>, and hands over as soon as one is ready.
/// </summary>
internal sealed class SilentLeaderStepDown
{
    private readonly string _nodeId;
    private readonly ProductionBook _book;
    private readonly ILogger _logger;
    private string? _askedFor;
    private bool _blockedLogged;
    private bool _silentLogged;

    public SilentLeaderStepDown(string nodeId, ProductionBook book, ILogger logger)
    {
        _nodeId = nodeId;
        _book = book;
        _logger = logger;
    }

    /// <summary>After each event: the handover to post to the machine, or null.</summary>
    public HandoverNowEvent? Consider(SupervisorSnapshot snapshot, ClusterObservation cluster)
    {
        if (snapshot is not { IsLeader: true, Production: { NotProducing: true } production })
        {
            _askedFor = null;
            _blockedLogged = false;
            _silentLogged = false;
            _book.StepDownBlocked = false;
            return null;
        }

        if (!_silentLogged)
        {
            _silentLogged = true;
            _logger.LeaderNotProducing(production.Mischance, production.Missed);
        }

        if (cluster.ReadiestPassive(_nodeId) is not { } target)
        {
            _book.StepDownBlocked = true;
            if (!_blockedLogged)
            {
                _blockedLogged = true;
                _logger.StepDownBlocked();
            }

            return null;
        }

        _book.StepDownBlocked = false;
        if (_askedFor == target.Info.NodeId)
        {
            return null;
        }

        _askedFor = target.Info.NodeId;
        _logger.SteppingDown(target.Info.NodeId, target.Info.Height);
        return new HandoverNowEvent(target.Info.NodeId, DemotionReason.NotProducing);
    }
}
