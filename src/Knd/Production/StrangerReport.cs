namespace Knd.Production;

/// <summary>
/// Logs, as an error naming the height, each block the machine judged signed by a signer outside the
/// cluster (the machine counts them in <see cref="SupervisorCounters.StrangerBlocks"/>; the snapshot
/// carries the last height), so an operator reading the journal sees the doppelganger.
/// </summary>
internal sealed class StrangerReport
{
    private readonly ILogger _logger;
    private long _reported;

    public StrangerReport(ILogger logger) => _logger = logger;

    public void Consider(SupervisorSnapshot snapshot, SupervisorCounters counters)
    {
        var seen = counters.StrangerBlocks;
        if (seen == _reported || snapshot.Production?.StrangerHeight is not { } height)
        {
            return;
        }

        _logger.StrangerBlock(height, seen - _reported, seen);
        _reported = seen;
    }
}
