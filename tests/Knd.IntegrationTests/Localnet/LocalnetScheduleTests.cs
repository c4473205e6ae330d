using Knd.Localnet;
using NeardSim.Chain;

namespace Knd.IntegrationTests.Localnet;

/// <summary>The localnet recomputes neard-sim's chain clock and duty schedule (contract §8); both must agree.</summary>
public sealed class LocalnetScheduleTests
{
    [Theory]
    [InlineData("validator.localnet", 7, 33)]
    [InlineData("validator.test", 7, 33)]
    [InlineData("pool.near", 42, 50)]
    public void DutySchedule_AgreesWithNeardSim(string account, long seed, int percent)
    {
        var localnet = new ChainSchedule(DateTimeOffset.UnixEpoch, TimeSpan.FromMilliseconds(500), seed, percent, 1200);
        var sim = new DutySchedule(seed, percent);

        var disagreements = Enumerable.Range(0, 5000).Where(h => localnet.HasDuty(account, h) != sim.HasDuty(account, h)).ToList();

        Assert.Empty(disagreements);
    }

    [Fact]
    public void ChainClock_AgreesWithNeardSim()
    {
        var genesis = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1234567);
        var localnet = new ChainSchedule(genesis, TimeSpan.FromMilliseconds(500), 7, 33, 1200);
        var sim = new ChainClock(genesis, 500, 1200, TimeProvider.System);

        foreach (var offsetMs in new[] { -10, 0, 1, 499, 500, 501, 123_456, 86_400_000 })
        {
            var at = genesis.AddMilliseconds(offsetMs);
            Assert.Equal(sim.HeadAt(at), localnet.HeadAt(at));
        }

        Assert.Equal(sim.BlockTime(1234), localnet.TimeOf(1234));
    }

    [Fact]
    public void NextDuty_IsTheFirstDutyHeightAtOrAfter()
    {
        var chain = new ChainSchedule(DateTimeOffset.UnixEpoch, TimeSpan.FromMilliseconds(500), 7, 33, 1200);
        for (var h = 0; h < 500; h++)
        {
            var next = chain.NextDuty("validator.localnet", h);
            Assert.True(next >= h && chain.HasDuty("validator.localnet", next));
            Assert.DoesNotContain(Enumerable.Range(h, (int)(next - h)), x => chain.HasDuty("validator.localnet", x));
        }
    }
}
