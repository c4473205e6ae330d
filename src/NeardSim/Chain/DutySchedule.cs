using System.Globalization;

namespace NeardSim.Chain;

/// <summary>
/// Block production duties: account A produces height h exactly when
/// FNV-1a-64("{seed}:{A}:{h}") mod 100 &lt; percent. Anyone can recompute it.
/// </summary>
internal sealed class DutySchedule
{
    public DutySchedule(long seed, int percent)
    {
        Seed = seed;
        Percent = percent;
    }

    public long Seed { get; }

    public int Percent { get; }

    public bool HasDuty(string accountId, long height)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{Seed}:{accountId}:{height}");
        return Fnv1a64.Hash(text) % 100 < (ulong)Math.Max(Percent, 0);
    }

    /// <summary>Counts the duty heights of <paramref name="accountId"/> in [from, toInclusive].</summary>
    public long CountDuties(string accountId, long from, long toInclusive)
    {
        long count = 0;
        for (var h = from; h <= toInclusive; h++)
        {
            if (HasDuty(accountId, h))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The duty heights of <paramref name="accountId"/> in [firstHeight, firstHeight + length), as bits.</summary>
    public HeightBits Bits(string accountId, long firstHeight, long length)
    {
        var bits = new HeightBits(length);
        for (long offset = 0; offset < length; offset++)
        {
            if (HasDuty(accountId, firstHeight + offset))
            {
                bits.Set(offset);
            }
        }

        return bits;
    }
}
