using Knd.Neard;

namespace Knd.Production;

/// <summary>The epoch counters of the validator account as of one look at the chain: the baseline of the next look.</summary>
internal sealed record EpochBaseline(long EpochStartHeight, AccountProduction? Counts);

/// <summary>
/// Duty heights produced and missed between two looks at the <c>validators</c> counters, which count
/// the current epoch only: a new epoch starts them from zero, and counters that go backwards (a neard
/// restarted on another database, a chain reset) start a new baseline instead of counting negative
/// duties. The tally's unit is the duty height (issue 13: "consecutive missed duty heights"): at one
/// height a validator has at most one block, one chunk (per shard) and one endorsement (per shard) to
/// produce, and a signer that is down misses all of them together, so the kind with the most duties
/// between the two looks counts the heights. Adding the kinds up would count one missed height
/// three times (neard-sim records all three at every duty height), and a fresh leader that missed a
/// single height in the second its key took effect would already be judged a failed promotion.
/// </summary>
internal static class ProductionDelta
{
    private static readonly (long Produced, long Missed) None = (0, 0);

    /// <summary>
    /// What happened between <paramref name="before"/> and <paramref name="now"/>. <paramref name="finished"/>
    /// is the previous epoch's final counts when the epoch changed in between (null when neard could
    /// not say: that epoch's last duties are then not counted).
    /// </summary>
    public static (int Produced, int Missed) Between(EpochBaseline? before, EpochProduction now, AccountProduction? finished)
    {
        if (before?.Counts is not { } old)
        {
            // No baseline (the first look, or the account was not a validator): this look only sets one.
            return (0, 0);
        }

        if (now.EpochStartHeight == before.EpochStartHeight)
        {
            return now.Account is { } current ? Add(Diff(old, current)) : (0, 0);
        }

        if (now.EpochStartHeight < before.EpochStartHeight)
        {
            return (0, 0);
        }

        var tail = finished is null ? None : Diff(old, finished);
        var fresh = now.Account is { } counts ? Diff(Zero(counts), counts) : None;
        return Add((tail.Produced + fresh.Produced, tail.Missed + fresh.Missed));
    }

    private static (long Produced, long Missed) Diff(AccountProduction before, AccountProduction after)
    {
        var blocks = Diff(before.Blocks, after.Blocks);
        var chunks = Diff(before.Chunks, after.Chunks);
        var endorsements = before.Endorsements is { } b && after.Endorsements is { } a ? Diff(b, a) : None;
        return (Math.Max(blocks.Produced, Math.Max(chunks.Produced, endorsements.Produced)), Math.Max(blocks.Missed, Math.Max(chunks.Missed, endorsements.Missed)));
    }

    private static (long Produced, long Missed) Diff(DutyCount before, DutyCount after)
    {
        var expected = after.Expected - before.Expected;
        var produced = after.Produced - before.Produced;
        if (expected < 0 || produced < 0)
        {
            return (0, 0);
        }

        return (produced, Math.Max(0, expected - produced));
    }

    private static AccountProduction Zero(AccountProduction shape) =>
        new(default, default, shape.Endorsements is null ? null : default(DutyCount));

    private static (int, int) Add((long Produced, long Missed) duties) =>
        ((int)Math.Min(duties.Produced, int.MaxValue), (int)Math.Min(duties.Missed, int.MaxValue));
}
