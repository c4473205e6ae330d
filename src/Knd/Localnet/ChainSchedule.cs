using System.Globalization;
using System.Text;

namespace Knd.Localnet;

/// <summary>
/// The localnet chain as every neard-sim sees it (contract §8): the head from the genesis time, and
/// the public duty schedule, account A has a duty at height h exactly when
/// FNV-1a-64("{seed}:{A}:{h}") mod 100 &lt; percent. Recomputed here because neard-sim is a separate
/// executable; the integration tests check both agree.
/// </summary>
internal sealed record ChainSchedule(DateTimeOffset Genesis, TimeSpan BlockInterval, long DutySeed, int DutyPercent, long EpochLength)
{
    public const ulong FnvOffsetBasis = 14695981039346656037UL;
    public const ulong FnvPrime = 1099511628211UL;

    public long HeadAt(DateTimeOffset time) => time <= Genesis ? 0 : (time - Genesis).Ticks / BlockInterval.Ticks;

    /// <summary>When <paramref name="height"/> becomes the head.</summary>
    public DateTimeOffset TimeOf(long height) => Genesis.AddTicks(height * BlockInterval.Ticks);

    public bool HasDuty(string accountId, long height) =>
        Fnv1a64(string.Create(CultureInfo.InvariantCulture, $"{DutySeed}:{accountId}:{height}")) % 100 < (ulong)Math.Max(DutyPercent, 0);

    /// <summary>The first duty height of <paramref name="accountId"/> at or after <paramref name="height"/>.</summary>
    public long NextDuty(string accountId, long height)
    {
        var h = Math.Max(height, 0);
        while (!HasDuty(accountId, h))
        {
            h++;
        }

        return h;
    }

    /// <summary>The duty heights of <paramref name="accountId"/> in [from, toExclusive).</summary>
    public IEnumerable<long> DutyHeights(string accountId, long from, long toExclusive)
    {
        for (var h = Math.Max(from, 0); h < toExclusive; h++)
        {
            if (HasDuty(accountId, h))
            {
                yield return h;
            }
        }
    }

    public static ulong Fnv1a64(string text)
    {
        var hash = FnvOffsetBasis;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash = unchecked(hash * FnvPrime);
        }

        return hash;
    }
}
