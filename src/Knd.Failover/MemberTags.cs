namespace Knd.Failover;

/// <summary>
/// This host's failover tags (<c>--no-failover</c>, <c>--priority</c>), published in its members/ record
/// and used by the machine when the lock is free; docs/failover-algorithm.md, "Tags", gives the rule.
/// </summary>
internal sealed record MemberTags
{
    /// <summary>The lowest and highest <c>--priority</c>.</summary>
    public const int MinPriority = -1000;

    public const int MaxPriority = 1000;

    /// <summary>Never take a free lock on its own; only a switchover addressed to this host (a handover hint naming it) may.</summary>
    public bool NoFailover { get; init; }

    /// <summary>Among ready passives the highest priority contends first; ties go to the higher head.</summary>
    public int Priority { get; init; }
}

/// <summary>Another member that could take a free lock now: a ready passive without <c>no_failover</c>, as its members/ record shows it.</summary>
internal sealed record Contender(string NodeId, int Priority, long Height);
