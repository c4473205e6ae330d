namespace Knd.Failover;

/// <summary>Monotonic counts kept by the state machine, read by the metrics exporter.</summary>
internal sealed class SupervisorCounters
{
    private readonly long[] _demotions = new long[Enum.GetValues<DemotionReason>().Length];

    public long NeardRestarts { get; set; }

    public long Promotions { get; set; }

    public long SelfFences { get; set; }

    /// <summary>Promotions that ended before neard reported the validator key (each starts or lengthens the promotion back-off).</summary>
    public long PromotionFailures { get; set; }

    /// <summary>Blocks signed with the validator key while no node of the cluster could have signed them.</summary>
    public long StrangerBlocks { get; set; }

    /// <summary>
    /// Of <see cref="StrangerBlocks"/>, those the leader found at its own duty heights: credited to the
    /// account by the chain beyond what its neard produced.
    /// </summary>
    public long ForeignBlocks { get; set; }

    public long Demotions(DemotionReason reason) => _demotions[(int)reason];

    public void CountDemotion(DemotionReason reason) => _demotions[(int)reason]++;
}
