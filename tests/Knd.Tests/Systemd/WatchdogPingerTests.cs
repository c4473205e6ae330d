using Knd.Supervision;
using Knd.Systemd;
using Knd.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.Tests.Systemd;

/// <summary>Timing on a fake clock; the datagrams on a real socket.</summary>
public sealed class WatchdogPingerTests
{
    private static readonly TimeSpan Half = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    [Fact(Timeout = 30_000)]
    public async Task Run_WhileTheLoopTicks_PingsEveryHalfWatchdogInterval()
    {
        await using var rig = new PingerRig(("WATCHDOG_USEC", "3000000"));
        Assert.Equal(Half, rig.Pinger.Period);

        rig.Start();
        Assert.Equal("STATUS=Startup", await rig.Receiver.ReceiveAsync());
        Assert.Equal("WATCHDOG=1", await rig.Receiver.ReceiveAsync());

        for (var beat = 2; beat <= 4; beat++)
        {
            rig.Time.Advance(Half - Tick);
            Assert.Equal(beat - 1, rig.Pinger.Beats);
            rig.Status.MarkTick();
            rig.Time.Advance(Tick);
            await rig.WaitForBeatsAsync(beat);
            Assert.Equal("WATCHDOG=1", await rig.Receiver.ReceiveAsync());
            Assert.Equal(0, rig.Receiver.Pending);
        }

        Assert.Equal(4, rig.Pinger.Pings);
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_WhenTheLoopStopsTicking_WithholdsPings_AndResumesWhenItTicksAgain()
    {
        await using var rig = new PingerRig(("WATCHDOG_USEC", "3000000"));
        rig.Start();
        Assert.Equal("STATUS=Startup", await rig.Receiver.ReceiveAsync());
        Assert.Equal("WATCHDOG=1", await rig.Receiver.ReceiveAsync());

        // No MarkTick: the loop is frozen for a whole period, then two.
        rig.Time.Advance(Half);
        await rig.WaitForBeatsAsync(2);
        rig.Time.Advance(Half);
        await rig.WaitForBeatsAsync(3);
        Assert.Equal(0, rig.Receiver.Pending);
        Assert.Equal(1, rig.Pinger.Pings);
        Assert.Single(rig.Logs.Lines, l => l.Contains("[6006]", StringComparison.Ordinal));

        rig.AdvanceTicking(Half);
        await rig.WaitForBeatsAsync(4);
        Assert.Equal("WATCHDOG=1", await rig.Receiver.ReceiveAsync());
        Assert.Contains(rig.Logs.Lines, l => l.Contains("[6007]", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_BeforeTheLoopsFirstTick_SendsNoPing_NorWithholdingAlarm_ThenPingsOnceItTicks()
    {
        await using var rig = new PingerRig(loopHasTicked: false, ("WATCHDOG_USEC", "3000000"));
        rig.Start();
        Assert.Equal("STATUS=Startup", await rig.Receiver.ReceiveAsync());

        // A slow start-up (reaper, neard home) is not a frozen loop: no ping, and no alarm either.
        rig.Time.Advance(4 * Half);
        await rig.WaitForBeatsAsync(2);
        Assert.Equal(0, rig.Receiver.Pending);
        Assert.Equal(0, rig.Pinger.Pings);
        Assert.DoesNotContain(rig.Logs.Lines, l => l.Contains("[6006]", StringComparison.Ordinal));

        rig.AdvanceTicking(Half);
        await rig.WaitForBeatsAsync(3);
        Assert.Equal("WATCHDOG=1", await rig.Receiver.ReceiveAsync());
    }

    [Theory]
    [InlineData("Startup", true)]
    [InlineData("Syncing", true)]
    [InlineData("Registering", true)]
    [InlineData("Voting", false)]
    [InlineData("Validating", false)]
    [InlineData("Shutdown", false)]
    public async Task Beat_LoopSilentForThePeriod_StillPingsOnlyWhileKndCannotHoldTheLock(string state, bool pings)
    {
        // Beats driven by hand: the rig's loop has ticked once, and its timer is not started.
        await using var rig = new PingerRig(("WATCHDOG_USEC", "3000000"));
        var (time, status, pinger) = (rig.Time, rig.Status, rig.Pinger);
        status.Publish(Snapshot(Enum.Parse<SupervisorState>(state)));

        time.Advance(Half);
        pinger.Beat();
        Assert.Equal(pings ? 1 : 0, pinger.Pings);

        // Even before Voting a loop silent for the pre-lock bound gets no more pings.
        time.Advance(FailoverTimings.Defaults.WatchdogPreLockTickBound - Half);
        pinger.Beat();
        Assert.Equal(pings ? 1 : 0, pinger.Pings);
    }

    [Fact]
    public async Task Beat_LoopSilentJustUnderThePeriod_StillPings_AtThePeriod_DoesNot()
    {
        // Beats driven by hand: the rig's loop has ticked once, and its timer is not started.
        await using var rig = new PingerRig(("WATCHDOG_USEC", "3000000"));
        var (time, pinger) = (rig.Time, rig.Pinger);

        time.Advance(Half - Tick);
        pinger.Beat();
        Assert.Equal(1, pinger.Pings);

        time.Advance(Tick);
        pinger.Beat();
        Assert.Equal(1, pinger.Pings);
        Assert.Equal(Half, pinger.TickBound);
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_StateChanges_AreSentAsStatus_OncePerChange()
    {
        await using var rig = new PingerRig();
        Assert.Equal(FailoverTimings.Defaults.WatchdogStatusOnlyPeriod, rig.Pinger.Period);
        rig.Start();
        Assert.Equal("STATUS=Startup", await rig.Receiver.ReceiveAsync());

        rig.Status.Publish(Snapshot(SupervisorState.Voting));
        rig.Time.Advance(rig.Pinger.Period);
        await rig.WaitForBeatsAsync(2);
        Assert.Equal("STATUS=Voting", await rig.Receiver.ReceiveAsync());

        rig.Time.Advance(rig.Pinger.Period);
        await rig.WaitForBeatsAsync(3);
        Assert.Equal(0, rig.Receiver.Pending);

        rig.Status.Publish(Snapshot(SupervisorState.Validating) with { Paused = true });
        rig.Time.Advance(rig.Pinger.Period);
        await rig.WaitForBeatsAsync(4);
        Assert.Equal("STATUS=Validating (failover paused)", await rig.Receiver.ReceiveAsync());
        Assert.Equal(0, rig.Pinger.Pings);
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_WatchdogForAnotherPid_NeverPings_ButStillReportsStatus()
    {
        await using var rig = new PingerRig(("WATCHDOG_USEC", "3000000"), ("WATCHDOG_PID", "1"));
        rig.Start();
        Assert.Equal("STATUS=Startup", await rig.Receiver.ReceiveAsync());

        rig.AdvanceTicking(rig.Pinger.Period);
        await rig.WaitForBeatsAsync(2);

        Assert.Equal(0, rig.Receiver.Pending);
        Assert.Equal(0, rig.Pinger.Pings);
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_WithoutNotifySocket_ReturnsAtOnce()
    {
        var time = new FakeTimeProvider();
        var status = new SupervisorStatus(new MonotonicClock(time), "node-a", "v.near");
        using var notifier = new SystemdNotifier(_ => null, 1, NullLogger.Instance);
        var pinger = new WatchdogPinger(notifier, status, time, NullLogger.Instance);

        await pinger.RunAsync(CancellationToken.None);

        Assert.Equal(0, pinger.Beats);
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_SocketGone_KeepsRunning_AndLogsOnce()
    {
        await using var rig = new PingerRig(("WATCHDOG_USEC", "3000000"));
        rig.Start();
        Assert.Equal("STATUS=Startup", await rig.Receiver.ReceiveAsync());
        rig.Receiver.Dispose();

        for (var beat = 2; beat <= 3; beat++)
        {
            rig.AdvanceTicking(Half);
            await rig.WaitForBeatsAsync(beat);
        }

        Assert.False(rig.Running.IsCompleted);
        Assert.Single(rig.Logs.Lines, l => l.Contains("[6003]", StringComparison.Ordinal));
        Assert.DoesNotContain(rig.Logs.Lines, l => l.Contains("[6006]", StringComparison.Ordinal));
        Assert.Equal(1, rig.Pinger.Pings);
    }

    private static SupervisorSnapshot Snapshot(SupervisorState state) =>
        new(state, false, null, null, null, null, false, null, null, null, false, null, TimeSpan.Zero);
}
