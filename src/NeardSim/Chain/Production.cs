namespace NeardSim.Chain;

/// <summary>Expected and produced duties of one account over part of an epoch.</summary>
internal readonly record struct Production(long Expected, long Produced)
{
    public long Missed => Expected - Produced;

    /// <summary>nearcore's kick-out test: produced * 100 &lt; threshold * expected (integer, percent).</summary>
    public bool IsBelow(int thresholdPercent) => Produced * 100 < (long)thresholdPercent * Expected;
}
