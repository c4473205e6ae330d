namespace NeardSim.Chain;

/// <summary>
/// The shared chain clock: every sim of one localnet derives the same head from the genesis
/// time, so nodes agree on heights without talking to each other.
/// </summary>
internal sealed class ChainClock
{
    private readonly TimeProvider _time;

    public ChainClock(DateTimeOffset genesisTime, int blockIntervalMs, long epochLength, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockIntervalMs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochLength, 1);
        GenesisTime = genesisTime;
        BlockIntervalMs = blockIntervalMs;
        EpochLength = epochLength;
        _time = time;
    }

    public DateTimeOffset GenesisTime { get; }

    public int BlockIntervalMs { get; }

    public long EpochLength { get; }

    public long Head => HeadAt(_time.GetUtcNow());

    public long HeadAt(DateTimeOffset now)
    {
        var sinceGenesis = (now - GenesisTime).Ticks;
        return sinceGenesis <= 0 ? 0 : sinceGenesis / (BlockIntervalMs * TimeSpan.TicksPerMillisecond);
    }

    public long EpochOf(long height) => height / EpochLength;

    public long EpochStart(long height) => EpochOf(height) * EpochLength;

    /// <summary>First height of the next epoch (the current epoch is half-open up to it).</summary>
    public long EpochEnd(long height) => EpochStart(height) + EpochLength;

    /// <summary>When the block at <paramref name="height"/> was produced, on the chain clock.</summary>
    public DateTimeOffset BlockTime(long height) =>
        GenesisTime.AddTicks(height * BlockIntervalMs * TimeSpan.TicksPerMillisecond);

    /// <summary>Block time as nanoseconds since the Unix epoch (nearcore's `timestamp`).</summary>
    public ulong BlockTimestampNanos(long height) =>
        (ulong)(BlockTime(height) - DateTimeOffset.UnixEpoch).Ticks * 100UL;
}
