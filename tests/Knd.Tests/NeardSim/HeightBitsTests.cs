using NeardSim.Chain;

namespace Knd.Tests.NeardSim;

public sealed class HeightBitsTests
{
    [Fact]
    public void Count_RangesAcrossWordBoundaries_CountOnlyBitsInside()
    {
        var bits = new HeightBits(200);
        long[] set = [0, 1, 63, 64, 65, 127, 128, 199];
        foreach (var offset in set)
        {
            bits.Set(offset);
        }

        for (long from = 0; from < 200; from += 7)
        {
            for (var to = from; to < 200; to += 5)
            {
                Assert.Equal(set.Count(o => o >= from && o <= to), bits.Count(from, to));
            }
        }
    }

    [Fact]
    public void Count_RangeOutsideTheEpoch_IsClamped()
    {
        var bits = new HeightBits(10);
        bits.Set(0);
        bits.Set(9);

        Assert.Equal(2, bits.Count(-5, 50));
        Assert.Equal(0, bits.Count(5, 4));
        Assert.False(bits[10]);
        Assert.False(bits[-1]);
    }

    [Fact]
    public void CountBoth_IsTheIntersection_AndNullIsEmpty()
    {
        var duties = new HeightBits(130);
        var signed = new HeightBits(130);
        foreach (var offset in new long[] { 3, 70, 100, 129 })
        {
            duties.Set(offset);
        }

        foreach (var offset in new long[] { 3, 71, 100, 129 })
        {
            signed.Set(offset);
        }

        Assert.Equal(3, duties.CountBoth(signed, 0, 129));
        Assert.Equal(1, duties.CountBoth(signed, 4, 128));
        Assert.Equal(0, duties.CountBoth(null, 0, 129));
    }
}
