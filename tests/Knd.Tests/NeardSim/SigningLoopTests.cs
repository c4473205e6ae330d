using Microsoft.Extensions.Logging.Abstractions;
using NeardSim.Chain;
using NeardSim.Faults;
using NeardSim.Node;
using NeardSim.Signing;

namespace Knd.Tests.NeardSim;

public sealed class SigningLoopTests : IDisposable
{
    // a.test's duties in [0, 40) with seed 7 and 33 %: 0 7 12 15 20 27 28 29 30 31 32 38 39.
    private readonly SimTestHome _home = new(validatorAccount: "a.test");
    private readonly ExitController _exit = new();
    private readonly FaultState _faults = new(configHang: false);

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Tick_EveryHeight_SignsExactlyTheDutyHeightsOnce()
    {
        var loop = Loop(_home.CreateState());

        for (var h = 0; h < 40; h++)
        {
            _home.AdvanceToHeight(h);
            loop.Tick();
            loop.Tick();
        }

        Assert.Equal([0, 7, 12, 15, 20, 27, 28, 29, 30, 31, 32, 38, 39], SignedHeights());
    }

    [Fact]
    public void Tick_WritesLineWithHomeAndPid()
    {
        var loop = Loop(_home.CreateState());

        loop.Tick();

        var line = Assert.Single(File.ReadAllLines(_home.LedgerPath));
        Assert.Equal(
            $"{{\"height\":0,\"account_id\":\"a.test\",\"home\":\"{_home.Dir}\",\"pid\":{Environment.ProcessId},\"time\":\"2025-01-01T00:00:00.000Z\"}}",
            line);
    }

    [Fact]
    public void Tick_HeightsPassedWhileNotObserving_AreNotSignedLater()
    {
        var loop = Loop(_home.CreateState());
        _home.AdvanceToHeight(6);
        loop.Tick();

        // Frozen across 7..29: only the head seen on waking (30) may be signed.
        _home.AdvanceToHeight(30);
        loop.Tick();

        Assert.Equal([30], SignedHeights());
    }

    [Fact]
    public void Tick_StartedLateInsideADutySlot_WaitsForTheNextSlot()
    {
        // Up 50 ms into duty height 7's 100 ms slot (the limit is a fifth of it): the others already serve 7 without this signature.
        var loop = Loop(_home.CreateState());
        _home.AdvanceToHeight(7);
        _home.Time.Advance(TimeSpan.FromMilliseconds(50));
        loop.Tick();

        // A running loop that wakes late (a loaded host, a freeze) still signs the head it finds.
        _home.AdvanceToHeight(12);
        _home.Time.Advance(TimeSpan.FromMilliseconds(50));
        loop.Tick();

        Assert.Equal([12], SignedHeights());
    }

    [Fact]
    public void Tick_StartedEarlyInsideADutySlot_SignsIt()
    {
        var loop = Loop(_home.CreateState());
        _home.AdvanceToHeight(7);
        _home.Time.Advance(TimeSpan.FromMilliseconds(10));
        loop.Tick();

        Assert.Equal([7], SignedHeights());
    }

    [Fact]
    public void Tick_NoKey_SignsNothing()
    {
        _home.DeleteValidatorKey();
        var loop = Loop(_home.CreateState());

        loop.Tick();

        Assert.False(File.Exists(_home.LedgerPath));
    }

    [Fact]
    public void Tick_WhileSyncing_SignsNothingThenSignsWhenSynced()
    {
        _home.WriteConfig("""{"sim":{"sync_ms":1000}}""");
        var loop = Loop(_home.CreateState());
        _home.AdvanceToHeight(7);
        loop.Tick();

        _home.AdvanceToHeight(12);
        loop.Tick();

        Assert.Equal([12], SignedHeights());
    }

    [Fact]
    public void Tick_KeyRemovedAndReloaded_KeepsSigning()
    {
        var state = _home.CreateState();
        var loop = Loop(state);
        _home.DeleteValidatorKey();
        new ConfigReloader(state, NullLogger<ConfigReloader>.Instance).Reload();

        _home.AdvanceToHeight(7);
        loop.Tick();

        Assert.Equal([7], SignedHeights());
    }

    [Fact]
    public void Tick_KeyPlacedAndReloaded_StartsSigning()
    {
        _home.DeleteValidatorKey();
        var state = _home.CreateState();
        var loop = Loop(state);
        _home.AdvanceToHeight(7);
        loop.Tick();
        _home.WriteValidatorKey("a.test");
        new ConfigReloader(state, NullLogger<ConfigReloader>.Instance).Reload();

        _home.AdvanceToHeight(12);
        loop.Tick();

        Assert.Equal([12], SignedHeights());
    }

    [Fact]
    public async Task Tick_HeadReachesExpectedShutdown_RequestsExitZeroAndDoesNotSign()
    {
        _home.WriteConfig("""{"expected_shutdown":12}""");
        var loop = Loop(_home.CreateState());
        _home.AdvanceToHeight(11);
        loop.Tick();
        Assert.False(_exit.IsRequested);

        _home.AdvanceToHeight(12);
        loop.Tick();

        Assert.True(_exit.IsRequested);
        Assert.Equal(0, (await _exit.Requested).ExitCode);
        Assert.Equal("Expected shutdown triggered: head block(12) >= (12)", (await _exit.Requested).Reason);
        Assert.DoesNotContain(12, SignedHeights());
    }

    [Fact]
    public void Tick_AfterExitRequested_SignsNothing()
    {
        var loop = Loop(_home.CreateState());
        _exit.Request(0, "test");

        loop.Tick();

        Assert.False(File.Exists(_home.LedgerPath));
    }

    [Fact]
    public async Task RunAsync_FakeClockAdvances_SignsAsTimePasses()
    {
        var state = _home.CreateState();
        var loop = Loop(state);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var run = loop.RunAsync(cts.Token);

        // Duties at 0 and 7: the loop must wake on the fake clock's timers to reach height 7.
        var deadline = TimeProvider.System.GetTimestamp() + (5 * TimeProvider.System.TimestampFrequency);
        while (state.SignedTotal < 2 && TimeProvider.System.GetTimestamp() < deadline)
        {
            _home.Time.Advance(loop.TickInterval);
            await Task.Delay(TimeSpan.FromMilliseconds(2), TimeProvider.System, cts.Token);
        }

        await cts.CancelAsync();
        await run;
        Assert.True(state.SignedTotal >= 2, $"signed {state.SignedTotal}");
        Assert.Equal(TimeSpan.FromMilliseconds(20), loop.TickInterval);
    }

    private SigningLoop Loop(NodeState state)
    {
        var genesis = state.Genesis;
        var clock = new ChainClock(genesis.GenesisTime, genesis.BlockIntervalMs, genesis.EpochLength, _home.Time);
        return new SigningLoop(
            state, clock, new DutySchedule(genesis.DutySeed, genesis.DutyPercent), _home.LedgerPath, _exit, _faults, _home.Time,
            NullLogger<SigningLoop>.Instance);
    }

    private long[] SignedHeights() => File.Exists(_home.LedgerPath)
        ? [.. File.ReadAllLines(_home.LedgerPath).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("height").GetInt64())]
        : [];
}
