using Knd.Neard;
using Knd.Production;

namespace Knd.Http;

/// <summary>One kind of duty in the current epoch, as <c>knd status --json</c> shows it.</summary>
internal sealed record DutyReport(long Expected, long Produced, long Missed)
{
    public static DutyReport? From(DutyCount? count) => count is { } c ? new DutyReport(c.Expected, c.Produced, c.Missed) : null;
}

/// <summary>
/// The production watch in <c>GET /status</c> and <c>knd status --json</c> (docs/cli.md): the validator
/// account's current epoch per kind, the KIRA counters, the last produced and missed heights with the
/// node that held the lock then, the chain watch's height, the leader's judgement, and the doppelganger
/// hold. Null where unknown.
/// </summary>
internal sealed record ProductionReport(
    long? EpochStartHeight,
    DutyReport? Blocks,
    DutyReport? Chunks,
    DutyReport? Endorsements,
    int? Mischance,
    int? MischanceConfidence,
    long? Rank,
    long? Streak,
    long? LastProducedHeight,
    string? LastProducedBy,
    long? LastMissedHeight,
    string? LastMissedBy,
    long? ScannedHeight,
    bool NotProducing,
    bool StepDownBlocked,
    long? DoppelgangerHeight,
    long? DoppelgangerHoldMs,
    string? WatchError)
{
    public static ProductionReport From(SupervisorSnapshot? snapshot, ProductionBook book, TimeSpan sinceSnapshot)
    {
        var view = snapshot?.Production;
        var stats = book.Latest;
        var hold = view?.DoppelgangerHold is { } left && left > sinceSnapshot ? (long)(left - sinceSnapshot).TotalMilliseconds : (long?)null;
        return new ProductionReport(
            stats.EpochStartHeight,
            DutyReport.From(stats.Blocks),
            DutyReport.From(stats.Chunks),
            DutyReport.From(stats.Endorsements),
            view?.Mischance,
            view?.Confidence,
            view?.Rank,
            view?.Streak,
            stats.LastProducedHeight,
            stats.LastProducedBy,
            stats.LastMissedHeight,
            stats.LastMissedBy,
            view?.ScannedHeight ?? stats.ScannedHeight,
            view?.NotProducing == true,
            book.StepDownBlocked,
            view?.StrangerHeight,
            hold,
            stats.LastError);
    }
}
