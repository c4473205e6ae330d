using System.Numerics;

namespace NeardSim.Chain;

/// <summary>
/// One bit per height of one epoch (offset 0 = the epoch's first height): a duty schedule or the
/// heights an account signed. An epoch of 43 200 heights costs 5.4 KB, so counting a range is a
/// popcount over a few hundred words instead of a walk over a hash set.
/// </summary>
internal sealed class HeightBits
{
    private readonly ulong[] _words;

    public HeightBits(long length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        Length = length;
        _words = new ulong[(length + 63) / 64];
    }

    public long Length { get; }

    public bool this[long offset] =>
        offset >= 0 && offset < Length && (_words[offset >> 6] & (1UL << (int)(offset & 63))) != 0;

    public void Set(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(offset, Length);
        _words[offset >> 6] |= 1UL << (int)(offset & 63);
    }

    /// <summary>Set bits in [from, toInclusive], clamped to the epoch.</summary>
    public long Count(long from, long toInclusive) => CountCore(this, null, from, toInclusive);

    /// <summary>Bits set in both in [from, toInclusive], clamped to the epoch; <paramref name="other"/> may be null (none).</summary>
    public long CountBoth(HeightBits? other, long from, long toInclusive) =>
        other is null ? 0 : CountCore(this, other, from, toInclusive);

    private static long CountCore(HeightBits bits, HeightBits? mask, long from, long toInclusive)
    {
        from = Math.Max(from, 0);
        toInclusive = Math.Min(toInclusive, bits.Length - 1);
        if (mask is not null && mask.Length != bits.Length)
        {
            throw new ArgumentException("the two epochs differ in length", nameof(mask));
        }

        long count = 0;
        for (var word = from >> 6; from <= toInclusive && word <= toInclusive >> 6; word++)
        {
            var value = bits._words[word] & (mask?._words[word] ?? ulong.MaxValue);
            var first = word << 6;
            if (from > first)
            {
                value &= ulong.MaxValue << (int)(from - first);
            }

            var last = first + 63;
            if (toInclusive < last)
            {
                value &= ulong.MaxValue >> (int)(last - toInclusive);
            }

            count += BitOperations.PopCount(value);
        }

        return count;
    }
}
