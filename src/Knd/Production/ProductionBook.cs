using Knd.Neard;

namespace Knd.Production;

/// <summary>
/// What the chain watch last saw of the validator account, for metrics and <c>knd status</c>: the
/// current epoch's counters per kind (as neard reports them, whoever signed), the last height the
/// account produced and the last look that found a missed duty, each with the node that held the
/// lock at the time (null when none did), and how far the chain was scanned.
/// </summary>
internal sealed record ProductionStats(
    long? EpochStartHeight,
    long? EpochHeight,
    bool? IsValidator,
    DutyCount? Blocks,
    DutyCount? Chunks,
    DutyCount? Endorsements,
    long? LastProducedHeight,
    string? LastProducedBy,
    long? LastMissedHeight,
    string? LastMissedBy,
    long? ScannedHeight,
    string? LastError)
{
    public static ProductionStats Empty { get; } = new(null, null, null, null, null, null, null, null, null, null, null, null);
}

/// <summary>
/// The latest <see cref="ProductionStats"/>, written by the chain observer, and whether a silent
/// leader cannot step down for want of a ready passive, written by the supervision loop. Read anywhere.
/// </summary>
internal sealed class ProductionBook
{
    private ProductionStats _latest = ProductionStats.Empty;
    private volatile bool _stepDownBlocked;

    public ProductionStats Latest => Volatile.Read(ref _latest);

    /// <summary>True while this node leads, is judged not producing, and no passive is ready to take over.</summary>
    public bool StepDownBlocked
    {
        get => _stepDownBlocked;
        set => _stepDownBlocked = value;
    }

    public void Publish(ProductionStats stats) => Volatile.Write(ref _latest, stats);
}
