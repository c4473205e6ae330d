using System.Collections.Concurrent;
using Knd.Commands;
using Knd.Control;
using Knd.Maintenance;
using Knd.Neard;
using Knd.Supervision;
using Knd.Tests.Infrastructure;
using Knd.Testing;

namespace Knd.Tests.Maintenance;

public sealed class MaintenanceCoordinatorTests
{
    private const long Head = 1_000;

    private readonly FakeTimeProvider _time = new();
    private readonly SupervisorStatus _status;
    private readonly FakeInbox _inbox;
    private readonly FakeNeard _neard = new();
    private readonly MaintenanceCoordinator _coordinator;

    public MaintenanceCoordinatorTests()
    {
        _status = new SupervisorStatus(new MonotonicClock(_time), "node-a", "pool.near");
        _inbox = new FakeInbox(_status);
        _coordinator = new MaintenanceCoordinator("pool.near", _status, _inbox, _neard);
    }

    [Fact]
    public async Task Passive_Schedule_StopsAtOnce_WithoutTouchingNeardsConfig()
    {
        Publish(isLeader: false);

        var outcome = await _coordinator.ScheduleAsync(new MaintenanceRequest(MaintenanceKind.Restart, null, null, Cancel: false), CancellationToken.None);

        Assert.Null(outcome.Error);
        Assert.Contains("passive", outcome.Succeeded().Message, StringComparison.Ordinal);
        Assert.Equal([new MaintenanceNowEvent(MaintenanceKind.Restart, Request: 1)], _inbox.Events);
        Assert.Empty(_neard.ExpectedShutdowns);
    }

    [Fact]
    public async Task Passive_BecameLeaderBeforeTheLoopTookIt_SchedulesAWindowInstead()
    {
        Publish(isLeader: false);
        _neard.Rpc.Windows = [new BlockRange(Head + 20, Head + 60)];
        _inbox.AnswerNow = now =>
        {
            // The loop promoted this node before it read the request: a leader does not stop at once.
            Publish(isLeader: true, generation: 2, fencingIndex: 9);
            return new MaintenanceAnswer(now.Request, false, "this node became the leader meanwhile");
        };

        var outcome = await _coordinator.ScheduleAsync(new MaintenanceRequest(MaintenanceKind.Shutdown, null, null, Cancel: false), CancellationToken.None);

        Assert.Null(outcome.Error);
        Assert.IsType<MaintenanceNowEvent>(_inbox.Events[0]);
        var scheduled = Assert.IsType<MaintenanceScheduledEvent>(_inbox.Events[1]);
        Assert.Equal((2, 9UL), (scheduled.Generation, scheduled.FencingIndex));
        Assert.InRange(outcome.Succeeded().ShutdownAt!.Value, Head + 20, Head + 59);
    }

    [Fact]
    public async Task Leader_Schedule_SetsAHeightInTheWindow_ConfirmsTheReload_AndTiesItToThisNeardAndFence()
    {
        Publish(isLeader: true, generation: 4, fencingIndex: 77);
        _neard.Rpc.Windows = [new BlockRange(Head + 20, Head + 60)];

        var outcome = await _coordinator.ScheduleAsync(new MaintenanceRequest(MaintenanceKind.Shutdown, null, null, Cancel: false), CancellationToken.None);

        Assert.Null(outcome.Error);
        var height = Assert.Single(_neard.ExpectedShutdowns).Height!.Value;
        Assert.InRange(height, Head + 20, Head + 59);
        Assert.Equal([new MaintenanceScheduledEvent(MaintenanceKind.Shutdown, height, 4, 77, Request: 1)], _inbox.Events);
        Assert.Equal(height, outcome.Succeeded().ShutdownAt);
    }

    [Fact]
    public async Task Leader_NeardReplacedBeforeTheLoopTookTheHeight_SchedulesAgainForTheNewNeard()
    {
        Publish(isLeader: true, generation: 4, fencingIndex: 77);
        _neard.Rpc.Windows = [new BlockRange(Head + 20, Head + 60)];
        // The hot-swap fallback restarts neard while the first height is on its way to the loop.
        _inbox.Answer = scheduled =>
        {
            if (scheduled.Generation == 4)
            {
                Publish(isLeader: true, generation: 5, fencingIndex: 77);
                return new MaintenanceAnswer(scheduled.Request, false, "maintenance ignored: scheduled for neard generation 4");
            }

            return new MaintenanceAnswer(scheduled.Request, true, null);
        };

        var outcome = await _coordinator.ScheduleAsync(new MaintenanceRequest(MaintenanceKind.Shutdown, null, null, Cancel: false), CancellationToken.None);

        Assert.Null(outcome.Error);
        var scheduled = _inbox.Events.Cast<MaintenanceScheduledEvent>().ToList();
        Assert.Equal([(4, 1L), (5, 2L)], scheduled.Select(e => (e.Generation, e.Request)));
        // The replaced neard took its height with it (a new neard starts without one): nothing to clear there.
        Assert.Equal([(scheduled[0].Height, 4), (scheduled[1].Height, 5)], _neard.ExpectedShutdowns);
        Assert.Equal(scheduled[1].Height, outcome.Succeeded().ShutdownAt);
    }

    [Fact]
    public async Task Leader_LoopRefusesEveryAttempt_ReportsNothingScheduled_AndLeavesNoHeightInNeard()
    {
        Publish(isLeader: true, generation: 4, fencingIndex: 77);
        _neard.Rpc.Windows = [new BlockRange(Head + 20, Head + 60)];
        _inbox.Answer = scheduled => new MaintenanceAnswer(scheduled.Request, false, "maintenance ignored: the lock was lost");

        var outcome = await _coordinator.ScheduleAsync(new MaintenanceRequest(MaintenanceKind.Shutdown, null, null, Cancel: false), CancellationToken.None);

        Assert.Contains("nothing is scheduled", outcome.Error, StringComparison.Ordinal);
        Assert.Contains("the lock was lost", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(3, _inbox.Events.Count);
        Assert.Null(_neard.ExpectedShutdowns[^1].Height);
        Assert.Equal(_neard.ExpectedShutdowns.Count(e => e.Height is not null), _neard.ExpectedShutdowns.Count(e => e.Height is null));
    }

    [Fact]
    public async Task Leader_AttemptsOvertakenSlowly_RefusesBeforeTheCliWouldGiveUp_AndLeavesNoHeightInNeard()
    {
        Publish(isLeader: true, generation: 4, fencingIndex: 77);
        _neard.Rpc.Windows = [new BlockRange(Head + 20, Head + 60)];

        // Each answer comes late (a loaded loop) and says the attempt was overtaken.
        _inbox.Answer = scheduled =>
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            return new MaintenanceAnswer(scheduled.Request, false, "maintenance ignored: the lock was lost");
        };

        var outcome = await _coordinator.ScheduleAsync(new MaintenanceRequest(MaintenanceKind.Shutdown, null, null, Cancel: false), CancellationToken.None);

        // 5 s + a whole further attempt (3 x 5 s + 2 x 1 s) fits in 25 s; 10 s + another does not.
        Assert.Equal(2, _inbox.Events.Count);
        Assert.Contains("nothing is scheduled", outcome.Error, StringComparison.Ordinal);
        Assert.Contains("within 25s", outcome.Error, StringComparison.Ordinal);
        Assert.Null(_neard.ExpectedShutdowns[^1].Height);
        Assert.True(FailoverTimings.Defaults.MaintenanceRequestBudget < ControlCliSettings.Default.RequestTimeout);
    }

    [Fact]
    public async Task Leader_NeardReplacedWhileItsHeadWasRead_TriesAgainAgainstTheNewNeard()
    {
        Publish(isLeader: true, generation: 4, fencingIndex: 77);
        _neard.Rpc.Windows = [new BlockRange(Head + 20, Head + 60)];
        _neard.Rpc.BeforeStatus = () =>
        {
            if (_neard.Generation == 4)
            {
                // The driver closed the old neard's client: the read fails like a transport error.
                Publish(isLeader: true, generation: 5, fencingIndex: 77);
                return false;
            }

            return true;
        };

        var outcome = await _coordinator.ScheduleAsync(new MaintenanceRequest(MaintenanceKind.Shutdown, null, null, Cancel: false), CancellationToken.None);

        Assert.Null(outcome.Error);
        Assert.Equal(5, Assert.Single(_inbox.Events.Cast<MaintenanceScheduledEvent>()).Generation);
    }

    [Fact]
    public async Task Leader_ReloadNeverConfirmed_TakesTheSettingBackOut_AndRefuses()
    {
        Publish(isLeader: true);
        _neard.Rpc.Windows = [new BlockRange(Head + 20, Head + 60)];
        _neard.Rpc.ReloadsApply = false;

        var schedule = _coordinator.ScheduleAsync(new MaintenanceRequest(MaintenanceKind.Shutdown, null, null, Cancel: false), CancellationToken.None);
        await AdvanceUntilAsync(schedule, FailoverTimings.Defaults.MaintenanceReloadConfirmTimeout + TimeSpan.FromSeconds(1));
        var outcome = await schedule;

        Assert.Contains("did not confirm the reload", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(2, _neard.ExpectedShutdowns.Count);
        Assert.Null(_neard.ExpectedShutdowns[1].Height);
        Assert.Empty(_inbox.Events);
    }

    [Fact]
    public async Task Leader_NeardWithoutTheReloadCounter_IsRefusedBeforeAnythingIsWritten()
    {
        Publish(isLeader: true);
        _neard.Rpc.Windows = [new BlockRange(Head + 20, Head + 60)];
        _neard.Rpc.ReportsReloads = false;

        var outcome = await _coordinator.ScheduleAsync(new MaintenanceRequest(MaintenanceKind.Shutdown, null, null, Cancel: false), CancellationToken.None);

        Assert.Contains("near_config_reloads_total", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(_neard.ExpectedShutdowns);
        Assert.Empty(_inbox.Events);
    }

    [Fact]
    public async Task Leader_NoNeardRunning_Refuses()
    {
        Publish(isLeader: true);
        _neard.Running = false;

        var outcome = await _coordinator.ScheduleAsync(new MaintenanceRequest(MaintenanceKind.Shutdown, null, null, Cancel: false), CancellationToken.None);

        Assert.Equal("neard is not running", outcome.Error);
        Assert.Empty(_inbox.Events);
    }

    [Fact]
    public async Task Leader_AlreadyScheduled_RefusesASecond_AndCancelClearsIt()
    {
        Publish(isLeader: true, maintenance: MaintenanceKind.Shutdown, maintenanceHeight: Head + 30);

        var second = await _coordinator.ScheduleAsync(new MaintenanceRequest(MaintenanceKind.Restart, null, null, Cancel: false), CancellationToken.None);
        var cancel = await _coordinator.ScheduleAsync(new MaintenanceRequest(MaintenanceKind.Shutdown, null, null, Cancel: true), CancellationToken.None);

        Assert.Contains("already scheduled at height 1030", second.Error, StringComparison.Ordinal);
        Assert.Null(cancel.Error);
        Assert.Equal([(null, 1)], _neard.ExpectedShutdowns);
        Assert.Equal([new MaintenanceCancelledEvent()], _inbox.Events);
    }

    [Fact]
    public async Task Cancel_AnswersOnlyOnceTheLoopHasTakenIt_SoAStatusReadRightAfterSeesNone()
    {
        Publish(isLeader: true, maintenance: MaintenanceKind.Shutdown, maintenanceHeight: Head + 30);
        _inbox.TakesCancels = false;

        var cancel = _coordinator.ScheduleAsync(new MaintenanceRequest(MaintenanceKind.Shutdown, null, null, Cancel: true), CancellationToken.None);
        await Deadline.WaitUntilAsync(() => _inbox.Events.Count == 1, TimeSpan.FromSeconds(10), "the cancel posted to the loop");
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(cancel.IsCompleted);

        _status.Publish(_status.Snapshot! with { Maintenance = null, MaintenanceHeight = null });
        await AdvanceUntilAsync(cancel, TimeSpan.FromSeconds(2));

        Assert.Null((await cancel).Error);
        Assert.Null(_coordinator.Status().Kind);
    }

    [Fact]
    public async Task Cancel_TheLoopNeverTakesIt_RefusesNamingTheLoop()
    {
        Publish(isLeader: true, maintenance: MaintenanceKind.Shutdown, maintenanceHeight: Head + 30);
        _inbox.TakesCancels = false;

        var cancel = _coordinator.ScheduleAsync(new MaintenanceRequest(MaintenanceKind.Shutdown, null, null, Cancel: true), CancellationToken.None);
        await AdvanceUntilAsync(cancel, FailoverTimings.Defaults.MaintenanceReloadConfirmTimeout + TimeSpan.FromSeconds(1));

        Assert.Contains("did not take the cancel", (await cancel).Error, StringComparison.Ordinal);
        Assert.Equal([(null, 1)], _neard.ExpectedShutdowns);
    }

    [Fact]
    public async Task Cancel_NothingScheduled_SaysSo_AndTouchesNothing()
    {
        Publish(isLeader: true);

        var outcome = await _coordinator.ScheduleAsync(new MaintenanceRequest(MaintenanceKind.Shutdown, null, null, Cancel: true), CancellationToken.None);

        Assert.Contains("nothing to cancel", outcome.Succeeded().Message, StringComparison.Ordinal);
        Assert.Empty(_neard.ExpectedShutdowns);
        Assert.Empty(_inbox.Events);
    }

    private void Publish(bool isLeader, int generation = 1, ulong fencingIndex = 5, MaintenanceKind? maintenance = null, long? maintenanceHeight = null)
    {
        _neard.Generation = generation;
        _status.Publish(new SupervisorSnapshot(
            isLeader ? SupervisorState.Validating : SupervisorState.Voting, isLeader, isLeader ? "node-a" : "node-b", 42, Head, false, true, "s", TimeSpan.Zero, fencingIndex, false, null, _status.Clock.Now,
            maintenance, maintenanceHeight, generation));
    }

    /// <summary>Moves the fake clock on in small steps while <paramref name="task"/> waits on it; bounded in real time too.</summary>
    private async Task AdvanceUntilAsync(Task task, TimeSpan atMost)
    {
        var moved = TimeSpan.Zero;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!task.IsCompleted && moved < atMost)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, deadline.Token);
            _time.Advance(TimeSpan.FromMilliseconds(100));
            moved += TimeSpan.FromMilliseconds(100);
        }

        await task.WaitAsync(deadline.Token);
    }

    /// <summary>The loop as the coordinator sees it: it answers a scheduled maintenance in the next snapshot (by default, taking it).</summary>
    private sealed class FakeInbox(SupervisorStatus status) : ISupervisorInbox
    {
        private readonly ConcurrentQueue<SupervisorEvent> _events = new();

        public IReadOnlyList<SupervisorEvent> Events => [.. _events];

        public Func<MaintenanceScheduledEvent, MaintenanceAnswer> Answer { get; set; } = scheduled => new MaintenanceAnswer(scheduled.Request, true, null);

        public Func<MaintenanceNowEvent, MaintenanceAnswer> AnswerNow { get; set; } = now => new MaintenanceAnswer(now.Request, true, null);

        /// <summary>False: the loop has not taken a cancel yet (the test publishes the snapshot without it later).</summary>
        public bool TakesCancels { get; set; } = true;

        public void Post(SupervisorEvent supervisorEvent)
        {
            _events.Enqueue(supervisorEvent);
            if (supervisorEvent is MaintenanceNowEvent now)
            {
                var answer = AnswerNow(now);
                status.Publish(status.Snapshot! with { MaintenanceAnswer = answer });
            }
            if (supervisorEvent is MaintenanceCancelledEvent && TakesCancels)
            {
                status.Publish(status.Snapshot! with { Maintenance = null, MaintenanceHeight = null });
            }
            if (supervisorEvent is MaintenanceScheduledEvent scheduled)
            {
                var answer = Answer(scheduled);
                var snapshot = status.Snapshot!;
                status.Publish(answer.Accepted
                    ? snapshot with { Maintenance = scheduled.Kind, MaintenanceHeight = scheduled.Height, MaintenanceAnswer = answer }
                    : snapshot with { MaintenanceAnswer = answer });
            }
        }
    }

    private sealed class FakeNeard : INeardControl
    {
        public bool Running { get; set; } = true;

        public int Generation { get; set; } = 1;

        public WindowRpc Rpc { get; } = new();

        public List<(long? Height, int Generation)> ExpectedShutdowns { get; } = [];

        public INeardRpc? CurrentRpc => Running ? Rpc : null;

        public int? CurrentGeneration => Running ? Generation : null;

        public Task<string?> SetExpectedShutdownAsync(long? height, int generation, CancellationToken cancellationToken)
        {
            if (generation != Generation)
            {
                return Task.FromResult<string?>($"neard was replaced meanwhile (generation {Generation} runs, not {generation})");
            }

            ExpectedShutdowns.Add((height, generation));
            Rpc.Reloaded();
            return Task.FromResult<string?>(null);
        }
    }

    /// <summary>neard's RPC as the coordinator reads it: a head, duty-free windows, and a reload counter that rises after a write.</summary>
    private sealed class WindowRpc : INeardRpc
    {
        private static readonly NeardRpcError Refused = new(NeardRpcErrorKind.ConnectionRefused, "fake");
        private long _reloads = 3;

        public IReadOnlyList<BlockRange> Windows { get; set; } = [];

        public bool ReloadsApply { get; set; } = true;

        public bool ReportsReloads { get; set; } = true;

        /// <summary>Runs before each status read; false fails the read.</summary>
        public Func<bool> BeforeStatus { get; set; } = () => true;

        public void Reloaded()
        {
            if (ReloadsApply)
            {
                Interlocked.Increment(ref _reloads);
            }
        }

        public Task<NeardRpcResult<NeardStatus>> GetStatusAsync(CancellationToken cancellationToken) =>
            BeforeStatus()
                ? Task.FromResult(NeardRpcResult<NeardStatus>.Ok(new NeardStatus(Head, false, null, null, null, null, null)))
                : Task.FromResult<NeardRpcResult<NeardStatus>>(new NeardRpcError(NeardRpcErrorKind.Transport, "the RPC client of a neard that was since replaced"));

        public Task<NeardRpcResult<long>> GetFinalBlockHeightAsync(CancellationToken cancellationToken) => Task.FromResult<NeardRpcResult<long>>(Refused);

        public Task<NeardRpcResult<IReadOnlyList<BlockRange>>> GetMaintenanceWindowsAsync(string accountId, CancellationToken cancellationToken) =>
            Task.FromResult(NeardRpcResult<IReadOnlyList<BlockRange>>.Ok(Windows));

        public Task<NeardRpcResult<NeardValidators>> GetValidatorsAsync(CancellationToken cancellationToken) => Task.FromResult<NeardRpcResult<NeardValidators>>(Refused);

        public Task<NeardRpcResult<EpochProduction>> GetProductionAsync(string accountId, long? epochLastHeight, CancellationToken cancellationToken) =>
            Task.FromResult<NeardRpcResult<EpochProduction>>(Refused);

        public Task<NeardRpcResult<NeardBlock>> GetBlockAsync(long height, CancellationToken cancellationToken) => Task.FromResult<NeardRpcResult<NeardBlock>>(Refused);

        public Task<NeardRpcResult<NeardChunk>> GetChunkAsync(long height, long shardId, CancellationToken cancellationToken) => Task.FromResult<NeardRpcResult<NeardChunk>>(Refused);

        public Task<NeardRpcResult<NeardMetrics>> GetMetricsAsync(CancellationToken cancellationToken)
        {
            IReadOnlyList<PrometheusSample> samples = ReportsReloads
                ? [new PrometheusSample("near_config_reloads_total", new Dictionary<string, string>(), Interlocked.Read(ref _reloads))]
                : [];
            return Task.FromResult(NeardRpcResult<NeardMetrics>.Ok(new NeardMetrics(samples)));
        }
    }
}
