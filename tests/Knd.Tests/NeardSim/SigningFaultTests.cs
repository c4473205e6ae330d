using Microsoft.Extensions.Logging.Abstractions;
using NeardSim.Chain;
using NeardSim.Faults;
using NeardSim.Node;
using NeardSim.Signing;

namespace Knd.Tests.NeardSim;

/// <summary>The silent leader (sim.sign = false, sim-no-sign) and the hot-swap catch-up.</summary>
public sealed class SigningFaultTests : IDisposable
{
    // a.test's duties in [0, 40): 0 7 12 15 20 27 28 29 30 31 32 38 39.
    private readonly SimTestHome _home = new(validatorAccount: "a.test");
    private readonly ExitController _exit = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void SignFalse_SyncedWithKey_SignsNothingButReportsTheValidator()
    {
        _home.WriteConfig("""{"sim":{"sign":false}}""");
        var state = _home.CreateState();
        var faults = Faults(state);
        var loop = Loop(state, faults);

        for (var h = 0; h < 40; h++)
        {
            _home.AdvanceToHeight(h);
            loop.Tick();
        }

        Assert.Empty(SignedHeights());
        Assert.Equal(0, state.ProducedTotal);
        Assert.True(state.IsSynced);
        var status = new RpcTestNode(_home).Views.Status();
        Assert.Equal("a.test", status.ValidatorAccountId);
        Assert.Equal("sim.sign is false", SigningGate.WhyNot(state, faults));
    }

    [Fact]
    public void NoSignFile_StopsSigningWhilePresent()
    {
        var state = _home.CreateState();
        var faults = Faults(state);
        var loop = Loop(state, faults);
        var poller = new FaultPoller(state, faults, _exit, _home.Time, NullLogger<FaultPoller>.Instance);
        loop.Tick();

        File.WriteAllText(_home.PathOf(FaultPoller.NoSignFile), "");
        poller.Poll();
        foreach (var h in new[] { 7, 12, 15 })
        {
            _home.AdvanceToHeight(h);
            loop.Tick();
        }

        File.Delete(_home.PathOf(FaultPoller.NoSignFile));
        poller.Poll();
        _home.AdvanceToHeight(20);
        loop.Tick();

        Assert.Equal([0, 20], SignedHeights());
        Assert.Equal(2, state.ProducedTotal);
    }

    [Fact]
    public void HotSwap_NotShadowTracked_NewKeyWaitsForTheCatchUpTime()
    {
        _home.DeleteValidatorKey();
        _home.WriteConfig("""{"sim":{"hot_swap_catchup_ms":1000}}""");
        var (state, loop) = HotSwapAt(5);

        foreach (var h in new[] { 7, 12 })
        {
            _home.AdvanceToHeight(h);
            Assert.True(state.IsCatchingUp);
            loop.Tick();
        }

        // Swapped at 501 ms: caught up at 1501 ms, the start of height 15.
        foreach (var h in new[] { 15, 20 })
        {
            _home.AdvanceToHeight(h);
            loop.Tick();
        }

        Assert.Equal([15, 20], SignedHeights());
        Assert.False(state.IsCatchingUp);
    }

    [Theory]
    [InlineData("""{"tracked_shards_config":{"ShadowValidator":"a.test"},"sim":{"hot_swap_catchup_ms":1000}}""")]
    [InlineData("""{"tracked_shards_config":"AllShards","sim":{"hot_swap_catchup_ms":1000}}""")]
    [InlineData("""{"tracked_shadow_validator":"a.test","tracked_shards":[],"sim":{"hot_swap_catchup_ms":1000}}""")]
    [InlineData("""{"tracked_shards":[0],"sim":{"hot_swap_catchup_ms":1000}}""")]
    [InlineData("""{"sim":{"hot_swap_catchup_ms":0}}""")]
    [InlineData("""{"tracked_shadow_validator":"a.test","sim":{"legacy_tracking_only":true}}""")]
    public void HotSwap_ShadowTrackedOrNoCatchUpTime_SignsAtOnce(string config)
    {
        _home.DeleteValidatorKey();
        _home.WriteConfig(config);
        var (state, loop) = HotSwapAt(5);

        _home.AdvanceToHeight(7);
        loop.Tick();

        Assert.False(state.IsCatchingUp);
        Assert.Equal([7], SignedHeights());
    }

    [Fact]
    public void HotSwap_NotShadowTracked_ByDefault_CatchesUpForFiveBlocks()
    {
        _home.DeleteValidatorKey();
        _home.WriteConfig("{}");
        var (state, loop) = HotSwapAt(5);

        // Swapped at 501 ms; five blocks of 100 ms later, at 1001 ms (height 10), it has caught up.
        Assert.Equal(500, state.CatchUpAfterSwapMs);
        AssertSignsOnlyFrom(loop, firstSignable: 10);
    }

    [Fact]
    public void HotSwap_NotShadowTracked_CatchUpAfterSwapBlocksFromTheRunOption()
    {
        _home.DeleteValidatorKey();
        _home.WriteConfig("{}");
        var state = _home.CreateState(catchUpAfterSwapBlocks: 20);
        var loop = Loop(state, Faults(state));
        _home.AdvanceToHeight(5);
        loop.Tick();
        _home.WriteValidatorKey("a.test");
        Assert.True(new ConfigReloader(state, NullLogger<ConfigReloader>.Instance).Reload());

        Assert.Equal(2000, state.CatchUpAfterSwapMs);
        AssertSignsOnlyFrom(loop, firstSignable: 25);
    }

    /// <summary>Ticks every height from 6 to 60: no duty before <paramref name="firstSignable"/> is signed, every one from it is.</summary>
    private void AssertSignsOnlyFrom(SigningLoop loop, long firstSignable)
    {
        var duties = new DutySchedule(7, 33);
        for (var h = 6; h <= 60; h++)
        {
            _home.AdvanceToHeight(h);
            loop.Tick();
        }

        var expected = Enumerable.Range(6, 55).Where(h => duties.HasDuty("a.test", h)).ToList();
        Assert.Contains(expected, h => h < firstSignable);
        Assert.Equal([.. expected.Where(h => h >= firstSignable).Select(h => (long)h)], SignedHeights());
    }

    [Fact]
    public void HotSwap_LegacyNearcoreIgnoresTrackedShardsConfig_CatchesUp()
    {
        _home.DeleteValidatorKey();
        _home.WriteConfig("""{"tracked_shards_config":{"ShadowValidator":"a.test"},"sim":{"legacy_tracking_only":true}}""");
        var (state, loop) = HotSwapAt(5);

        _home.AdvanceToHeight(7);
        loop.Tick();

        Assert.True(state.IsCatchingUp);
        Assert.Empty(SignedHeights());
    }

    [Fact]
    public void HotSwap_ShadowTrackingAnotherAccount_CatchesUp()
    {
        _home.DeleteValidatorKey();
        _home.WriteConfig("""{"tracked_shards_config":{"ShadowValidator":"other.test"},"sim":{"hot_swap_catchup_ms":1000}}""");
        var (state, loop) = HotSwapAt(5);

        _home.AdvanceToHeight(7);
        loop.Tick();

        Assert.True(state.IsCatchingUp);
        Assert.Empty(SignedHeights());
    }

    [Fact]
    public void KeyAtStartup_NeverCatchesUp()
    {
        _home.WriteConfig("""{"sim":{"hot_swap_catchup_ms":100000}}""");
        var state = _home.CreateState();
        var loop = Loop(state, Faults(state));

        loop.Tick();

        Assert.Equal([0], SignedHeights());
    }

    private (NodeState State, SigningLoop Loop) HotSwapAt(long height)
    {
        var state = _home.CreateState();
        var loop = Loop(state, Faults(state));
        _home.AdvanceToHeight(height);
        loop.Tick();
        _home.WriteValidatorKey("a.test");
        Assert.True(new ConfigReloader(state, NullLogger<ConfigReloader>.Instance).Reload());
        return (state, loop);
    }

    private static FaultState Faults(NodeState state) => new(state.Sim.RpcHang, configNoSign: !state.Sim.Sign);

    private SigningLoop Loop(NodeState state, FaultState faults)
    {
        var genesis = state.Genesis;
        var clock = new ChainClock(genesis.GenesisTime, genesis.BlockIntervalMs, genesis.EpochLength, _home.Time);
        return new SigningLoop(
            state, clock, new DutySchedule(genesis.DutySeed, genesis.DutyPercent), _home.LedgerPath, _exit, faults, _home.Time,
            NullLogger<SigningLoop>.Instance);
    }

    private long[] SignedHeights() => File.Exists(_home.LedgerPath)
        ? [.. File.ReadAllLines(_home.LedgerPath).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("height").GetInt64())]
        : [];
}
