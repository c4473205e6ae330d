namespace Knd.Failover;

/// <summary>
/// KIRA's validator ranking (sekai x/slashing, ../shared/reference/valar-kira.md) adapted to NEAR's
/// duty heights: each duty (a block, chunk or endorsement the validator was expected to produce)
/// is produced or missed. Misses first fill a tolerance (<see cref="Confidence"/>, up to
/// <see cref="ProductionRules.MischanceConfidence"/>), then count as <see cref="Mischance"/>; one
/// produced duty clears both. <see cref="Streak"/> counts produced duties in a row and
/// <see cref="Rank"/> is the best streak, lowered by <see cref="ProductionRules.RankDecrease"/> for
/// each miss that counts as mischance.
/// </summary>
internal sealed class ProductionTally
{
    private readonly ProductionRules _rules;

    public ProductionTally(ProductionRules rules) => _rules = rules;

    /// <summary>Consecutive misses tolerated so far (KIRA's mischance confidence counter).</summary>
    public int Confidence { get; private set; }

    /// <summary>Consecutive misses past the tolerance.</summary>
    public int Mischance { get; private set; }

    public long Streak { get; private set; }

    public long Rank { get; private set; }

    public long Produced { get; private set; }

    public long Missed { get; private set; }

    /// <summary>Whether the misses in a row passed <see cref="ProductionRules.MaxMischance"/>: the signer is not producing.</summary>
    public bool OverMax => Mischance > _rules.MaxMischance;

    /// <summary>
    /// One observation: duties produced and missed since the previous one. Their order within one
    /// observation is unknown; the misses are counted first, so a produced duty in the same
    /// observation clears them (a half-working signer is not judged silent).
    /// </summary>
    public void Observe(int produced, int missed)
    {
        for (var i = 0; i < missed; i++)
        {
            Missed++;
            if (Confidence >= _rules.MischanceConfidence)
            {
                Mischance++;
            }
            else
            {
                Confidence++;
            }

            if (Mischance > 0)
            {
                Streak = 0;
                Rank = Math.Max(Rank - _rules.RankDecrease, 0);
            }
        }

        for (var i = 0; i < produced; i++)
        {
            Produced++;
            Mischance = 0;
            Confidence = 0;
            Streak++;
            Rank = Math.Max(Rank, Streak);
        }
    }
}

/// <summary>
/// The production watch's settings (<c>--mischance-confidence</c>, <c>--max-mischance</c>) and the
/// timings that go with them; docs/failover-algorithm.md, "Production watch", gives the reasons.
/// </summary>
internal sealed record ProductionRules
{
    /// <summary>Default: three missed duties in a row are tolerated (a skipped block, a short network hiccup).</summary>
    public const int DefaultMischanceConfidence = 3;

    /// <summary>Default: ten more, so a leader steps down after fourteen missed duties in a row.</summary>
    public const int DefaultMaxMischance = 10;

    public int MischanceConfidence { get; init; } = DefaultMischanceConfidence;

    public int MaxMischance { get; init; } = DefaultMaxMischance;

    /// <summary>KIRA's MischanceRankDecreaseAmount: rank lost per miss counted as mischance.</summary>
    public int RankDecrease { get; init; } = 10;

    /// <summary>
    /// A leader that stepped down for not producing stays out of the election this long, so a
    /// cluster of two broken hosts does not flap between them (each try costs a handover).
    /// </summary>
    public TimeSpan NotProducingBackoff { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// After a block signed with the validator key was seen while no node of the cluster could have
    /// signed it, no node of the cluster promotes for this long after the last such block.
    /// </summary>
    public TimeSpan DoppelgangerWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A block signed with the key counts as a stranger's only when it was produced this long after
    /// the lock was seen free (the old leader's neard is dead by FenceBound after its last renewal;
    /// this adds block-time and clock slack on top of it).
    /// </summary>
    public TimeSpan StrangerSlack { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A chain scan older than this does not count as a look-back before a promotion.</summary>
    public TimeSpan ScanFreshness { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The one cross-field rule, or null when it holds.</summary>
    public string? Check()
    {
        if (MischanceConfidence < 1)
        {
            return "--mischance-confidence must be at least 1: a single missed duty must never count as mischance";
        }

        return MaxMischance < 1 ? "--max-mischance must be at least 1" : null;
    }
}
