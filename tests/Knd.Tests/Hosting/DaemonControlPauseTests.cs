using Knd.Cluster;
using Knd.Hosting;
using Knd.Maintenance;
using Knd.Neard;
using Knd.Supervision;
using Knd.Testing;
using Knd.Tests.Infrastructure;
using Knd.Tests.Supervision;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.Tests.Hosting;

/// <summary><c>knd pause</c> / <c>resume</c> in the daemon: written to the lock service, answered once this node's own view shows it.</summary>
public sealed class DaemonControlPauseTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly SupervisorStatus _status;
    private readonly PauseStore _store = new();
    private readonly DaemonControl _control;

    public DaemonControlPauseTests()
    {
        _status = new SupervisorStatus(new MonotonicClock(_time), DriverHarness.NodeId, "validator.near");
        var options = DriverHarness.Options();
        var cluster = new ClusterState(new ClusterKeys(options.LockKey));
        var maintenance = new MaintenanceCoordinator(options.AccountId, _status, new NoInbox(), new NoNeard());
        _control = new DaemonControl(options, FailoverTimings.Defaults, _store, cluster, _status, maintenance, NullLogger<DaemonControl>.Instance);
        Publish(paused: false);
    }

    [Fact]
    public async Task Pause_AnswersOnlyOnceThisNodesViewShowsIt()
    {
        var pause = _control.SetPausedAsync(true, CancellationToken.None);
        await Deadline.WaitUntilAsync(() => _store.Writes == 1, TimeSpan.FromSeconds(10), "the pause flag written");
        _time.Advance(TimeSpan.FromMilliseconds(500));
        await Task.Yield();
        Assert.False(pause.IsCompleted, "the answer came before this node's view showed the pause");

        Publish(paused: true);
        _time.Advance(FailoverTimings.Defaults.WatchEchoPollInterval);

        Assert.True((await pause.WaitAsync(TimeSpan.FromSeconds(10))).Succeeded());
    }

    [Fact]
    public async Task Pause_ViewNeverShowsIt_AnswersAfterTheEchoTimeout_TheFlagBeingWritten()
    {
        var pause = _control.SetPausedAsync(true, CancellationToken.None);
        await Deadline.WaitUntilAsync(() => _store.Writes == 1, TimeSpan.FromSeconds(10), "the pause flag written");
        for (var moved = TimeSpan.Zero; !pause.IsCompleted && moved <= FailoverTimings.Defaults.ControlEchoTimeout; moved += TimeSpan.FromMilliseconds(100))
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(TimeSpan.FromMilliseconds(2), TimeProvider.System);
        }

        Assert.True((await pause.WaitAsync(TimeSpan.FromSeconds(10))).Succeeded());
    }

    [Fact]
    public async Task Pause_WriteRefused_FailsAtOnce_WithoutWaitingForTheView()
    {
        _store.Fail = new LockServiceError(LockServiceFailure.Unavailable, "No cluster leader");

        var pause = await _control.SetPausedAsync(true, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Contains("the pause flag was not written", pause.Error, StringComparison.Ordinal);
    }

    private void Publish(bool paused) => _status.Publish(new SupervisorSnapshot(
        SupervisorState.Voting, false, "node-b", 42, 1_000, false, true, "s", TimeSpan.Zero, 5, paused, null, _status.Clock.Now));

    private sealed class PauseStore : IClusterStore
    {
        private int _writes;

        public int Writes => Volatile.Read(ref _writes);

        public LockServiceError? Fail { get; set; }

        public Task<LockServiceResult<LockHolding?>> ReadHolderAsync(CancellationToken cancellationToken) =>
            Task.FromResult(LockServiceResult<LockHolding?>.Ok(null));

        public Task<LockServiceResult<bool>> DeleteAsync(string key, CancellationToken cancellationToken) =>
            Task.FromResult(LockServiceResult<bool>.Ok(true));

        public Task<LockServiceResult<bool>> PutAsync(string key, byte[] value, ulong? expectedIndex, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _writes);
            return Task.FromResult(Fail is { } error ? LockServiceResult<bool>.Fail(error) : LockServiceResult<bool>.Ok(true));
        }
    }

    private sealed class NoInbox : ISupervisorInbox
    {
        public void Post(SupervisorEvent supervisorEvent)
        {
        }
    }

    private sealed class NoNeard : INeardControl
    {
        public INeardRpc? CurrentRpc => null;

        public int? CurrentGeneration => null;

        public Task<string?> SetExpectedShutdownAsync(long? height, int generation, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }
}
