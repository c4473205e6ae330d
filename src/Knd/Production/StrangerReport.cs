namespace Knd.Production;

/// <summary>
/// Logs, as an error naming the height, each block the machine judged signed by a signer outside the
/// cluster (the machine counts them in <see cref="SupervisorCounters.StrangerBlocks"/>; the snapshot
/// carries the last height), so an operator reading the journal sees the doppelganger; and the blocks
/// the leader found at its own duty heights that its neard did not produce, with the counts.
/// </summary>
internal sealed class StrangerReport
{
    private readonly ILogger _logger;
    private long _reported;
    private long _reportedForeign;

    public StrangerReport(ILogger logger) => _logger = logger;

    public void Consider(SupervisorSnapshot snapshot, SupervisorCounters counters)
    {
        var seen = counters.StrangerBlocks;
        if (seen == _reported || snapshot.Production?.StrangerHeight is not { } height)
        {
            return;
        }

        var foreign = counters.ForeignBlocks - _reportedForeign;
        if (foreign > 0 && snapshot.Production.Foreign is { } check)
        {
            _logger.ForeignBlocks(check.Credited, check.Kind, check.FromHeight, check.ToHeight, check.Produced, check.Kind == "chunks" ? "near_chunk_produced_total" : "near_block_produced_total", foreign, seen);
        }

        if (seen - _reported > foreign)
        {
            _logger.StrangerBlock(height, seen - _reported - foreign, seen);
        }

        _reported = seen;
        _reportedForeign = counters.ForeignBlocks;
    }
}
