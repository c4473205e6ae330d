namespace NeardSim.Chain;

/// <summary>How much history a sim keeps, as a neard that garbage-collects old epochs does.</summary>
internal static class ChainHistory
{
    /// <summary>
    /// Blocks are kept for the head's epoch and the four before it (nearcore's default
    /// gc_num_epochs_to_keep is 5); status.earliest_block_height reports the first of them.
    /// </summary>
    public const int BlockEpochs = 5;

    /// <summary>One epoch more of production, so the oldest kept epoch can still report its prev_epoch_kickout.</summary>
    public const int ProductionEpochs = BlockEpochs + 1;

    /// <summary>The oldest epoch whose blocks and validators can still be asked for.</summary>
    public static long OldestEpoch(long headEpoch) => Math.Max(0, headEpoch - (BlockEpochs - 1));

    public static long EarliestBlock(ChainClock clock, long head) => OldestEpoch(clock.EpochOf(head)) * clock.EpochLength;
}
