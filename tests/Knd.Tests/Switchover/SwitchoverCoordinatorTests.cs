using System.Collections.Concurrent;
using System.Text.Json;
using Knd.Cluster;
using Knd.Neard;
using Knd.Supervision;
using Knd.Switchover;
using Knd.Tests.Infrastructure;
using Knd.Tests.Supervision;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.Tests.Switchover;

/// <summary>
/// The leader's side of a planned handover on a fake clock: the record's phases, the window it
/// reports while waiting, a cancel that wins, and a handover only after its compare-and-set write.
/// </summary>
public sealed class SwitchoverCoordinatorTests : IAsyncDisposable
{
    private const string Leader = DriverHarness.NodeId;
    private const string Target = "node-b";

    private readonly FakeTimeProvider _time = new();
    private readonly ClusterState _cluster = new(new ClusterKeys("kuutamod-leader/pool.near"));
    private readonly SupervisorStatus _status;
    private readonly FakeInbox _inbox = new();
    private readonly ChainRpc _rpc;
    private readonly FakeStore _store;
    private readonly SwitchoverCoordinator _coordinator;
    private readonly CancellationTokenSource _stop = new();

    public SwitchoverCoordinatorTests()
    {
        _status = new SupervisorStatus(new MonotonicClock(_time), Leader, "pool.near");
        _rpc = new ChainRpc();
        _store = new FakeStore(_cluster, () => _inbox.Events.Count);
        var options = DriverHarness.Options();
        var timings = FailoverTimings.From(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), null, TimeSpan.FromSeconds(30));
        _coordinator = new SwitchoverCoordinator(options, timings, _cluster, _status, _inbox, new FakeNeard(_rpc), _store, NullLogger<SwitchoverCoordinator>.Instance);
        PublishLeader(Leader);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _coordinator.StopAsync(CancellationToken.None);
        }
        finally
        {
            _coordinator.Dispose();
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task NoWindowYet_TheRecordNamesTheNextOneAndWhenItIsDue()
    {
        // 100 ms blocks: the handover needs about 37 heights; the next window that long starts 200 heights on.
        _rpc.WindowsFromHead = head => [new BlockRange(head + 200, head + 400)];
        Request();
        await _coordinator.StartAsync(_stop.Token);

        var waiting = await RunUntilAsync(() => _cluster.Latest.Switchover is { WindowHeight: not null } r ? r : null);

        Assert.Equal(SwitchoverRecord.WaitingForWindow, waiting.Phase);
        Assert.InRange(waiting.WindowHeight!.Value, _rpc.Head, _rpc.Head + 200);
        Assert.Contains($"the next starts at height {waiting.WindowHeight}", waiting.Message, StringComparison.Ordinal);
        Assert.InRange((waiting.WindowAt!.Value - _time.GetUtcNow()).TotalSeconds, 5, 25);
        Assert.Empty(_inbox.Events);
    }

    [Fact]
    public async Task CancelledWhileWaiting_NeverHandsOver_EvenWhenAWindowComesAfter()
    {
        _rpc.WindowsFromHead = _ => [];
        Request();
        await _coordinator.StartAsync(_stop.Token);
        await RunUntilAsync(() => _cluster.Latest.Switchover is { Phase: SwitchoverRecord.WaitingForWindow } r ? r : null);

        var open = _cluster.Latest.Switchover!;
        Assert.True((await _store.PutAsync(_cluster.Keys.Switchover, Bytes(open with { Phase = SwitchoverRecord.Cancelled, Message = "cancelled by node-c" }), _cluster.Latest.SwitchoverIndex, CancellationToken.None)).Value);
        _rpc.WindowsFromHead = head => [new BlockRange(head, head + 1_000)];
        await RunForAsync(TimeSpan.FromSeconds(5));

        Assert.Empty(_inbox.Events);
        Assert.Equal(SwitchoverRecord.Cancelled, _cluster.Latest.Switchover!.Phase);
    }

    [Fact]
    public async Task WindowOpen_WritesHandingOverBeforeTellingTheMachine_ThenDoneWhenTheTargetLeads()
    {
        _rpc.WindowsFromHead = head => [new BlockRange(head, head + 1_000)];
        Request();
        await _coordinator.StartAsync(_stop.Token);

        var handover = await RunUntilAsync(() => _inbox.Events.OfType<HandoverNowEvent>().FirstOrDefault());
        Assert.Equal(Target, handover.Target);
        Assert.True(_store.Wrote(SwitchoverRecord.HandingOver, beforeAnyEvent: true));

        PublishLeader(Target);
        var done = await RunUntilAsync(() => _cluster.Latest.Switchover is { Phase: SwitchoverRecord.Done } r ? r : null);
        Assert.Contains($"{Target} is the active validator", done.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandingOverWriteLoses_NoHandoverIsPosted()
    {
        _rpc.WindowsFromHead = head => [new BlockRange(head, head + 1_000)];
        Request();
        _store.RefuseAfter = 1; // the waiting-for-window write lands; every later compare-and-set loses
        await _coordinator.StartAsync(_stop.Token);

        await RunForAsync(TimeSpan.FromSeconds(5));

        Assert.Empty(_inbox.Events);
        Assert.True(_store.Refused > 0);
    }

    private void Request()
    {
        var record = new SwitchoverRecord("sw-1", Leader, Target, SwitchoverRecord.Pending, "requested", "node-c", _time.GetUtcNow());
        var member = new Member(new MemberInfo(Target, "Voting", true, true, _rpc.Head), Alive: true);
        _cluster.Publish(new ClusterObservation(false, record, 10, [member], 10));
    }

    private void PublishLeader(string leader) =>
        _status.Publish(new SupervisorSnapshot(
            leader == Leader ? SupervisorState.Validating : SupervisorState.Voting, leader == Leader, leader, 42, _rpc.Head, false, true, "s", TimeSpan.Zero, 5, false, null, _status.Clock.Now));

    private static byte[] Bytes(SwitchoverRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, ClusterJsonContext.Default.SwitchoverRecord);

    /// <summary>Moves the fake clock in 100 ms steps (a block each) until <paramref name="probe"/> answers; bounded in real time.</summary>
    private async Task<T> RunUntilAsync<T>(Func<T?> probe)
        where T : class
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        T? found;
        while ((found = probe()) is null)
        {
            await Step(deadline.Token);
        }

        return found;
    }

    private async Task RunForAsync(TimeSpan fakeTime)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var end = _time.GetUtcNow() + fakeTime;
        while (_time.GetUtcNow() < end)
        {
            await Step(deadline.Token);
        }
    }

    private async Task Step(CancellationToken deadline)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(2), TimeProvider.System, deadline);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        _rpc.Head++;
    }

    private sealed class FakeInbox : ISupervisorInbox
    {
        private readonly ConcurrentQueue<SupervisorEvent> _events = new();

        public IReadOnlyList<SupervisorEvent> Events => [.. _events];

        public void Post(SupervisorEvent supervisorEvent) => _events.Enqueue(supervisorEvent);
    }

    /// <summary>The switchover key with Consul's compare-and-set, published to the cluster state as the watch would.</summary>
    private sealed class FakeStore(ClusterState cluster, Func<int> eventsPosted) : IClusterStore
    {
        private readonly List<(string Phase, int EventsBefore)> _writes = [];

        public int? RefuseAfter { get; set; }

        public int Refused { get; private set; }

        /// <summary>Whether <paramref name="phase"/> was written, and (with <paramref name="beforeAnyEvent"/>) before the coordinator posted anything.</summary>
        public bool Wrote(string phase, bool beforeAnyEvent)
        {
            lock (_writes)
            {
                return _writes.Any(w => w.Phase == phase && (!beforeAnyEvent || w.EventsBefore == 0));
            }
        }

        public Task<LockServiceResult<LockHolding?>> ReadHolderAsync(CancellationToken cancellationToken) =>
            Task.FromResult(LockServiceResult<LockHolding?>.Ok(null));

        public Task<LockServiceResult<bool>> DeleteAsync(string key, CancellationToken cancellationToken) =>
            Task.FromResult(LockServiceResult<bool>.Ok(true));

        public Task<LockServiceResult<bool>> PutAsync(string key, byte[] value, ulong? expectedIndex, CancellationToken cancellationToken)
        {
            lock (_writes)
            {
                var latest = cluster.Latest;
                if ((expectedIndex is { } expected && expected != latest.SwitchoverIndex) || (RefuseAfter is { } limit && _writes.Count >= limit))
                {
                    Refused++;
                    return Task.FromResult(LockServiceResult<bool>.Ok(false));
                }

                var record = JsonSerializer.Deserialize(value, ClusterJsonContext.Default.SwitchoverRecord)!;
                _writes.Add((record.Phase, eventsPosted()));
                cluster.Publish(latest with { Switchover = record, SwitchoverIndex = latest.Index + 1, Index = latest.Index + 1 });
                return Task.FromResult(LockServiceResult<bool>.Ok(true));
            }
        }
    }

    private sealed class FakeNeard(ChainRpc rpc) : INeardControl
    {
        public INeardRpc? CurrentRpc => rpc;

        public int? CurrentGeneration => 1;

        public Task<string?> SetExpectedShutdownAsync(long? height, int generation, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }

    /// <summary>A chain whose head the test moves, and the validator's duty-free windows as a function of it.</summary>
    private sealed class ChainRpc : INeardRpc
    {
        private static readonly NeardRpcError Refused = new(NeardRpcErrorKind.ConnectionRefused, "fake");
        private long _head = 1_000;

        public long Head
        {
            get => Interlocked.Read(ref _head);
            set => Interlocked.Exchange(ref _head, value);
        }

        public Func<long, IReadOnlyList<BlockRange>> WindowsFromHead { get; set; } = _ => [];

        public Task<NeardRpcResult<NeardStatus>> GetStatusAsync(CancellationToken cancellationToken) =>
            Task.FromResult(NeardRpcResult<NeardStatus>.Ok(new NeardStatus(Head, false, null, null, null, null, null)));

        public Task<NeardRpcResult<IReadOnlyList<BlockRange>>> GetMaintenanceWindowsAsync(string accountId, CancellationToken cancellationToken) =>
            Task.FromResult(NeardRpcResult<IReadOnlyList<BlockRange>>.Ok(WindowsFromHead(Head)));

        public Task<NeardRpcResult<long>> GetFinalBlockHeightAsync(CancellationToken cancellationToken) => Task.FromResult<NeardRpcResult<long>>(Refused);

        public Task<NeardRpcResult<NeardValidators>> GetValidatorsAsync(CancellationToken cancellationToken) => Task.FromResult<NeardRpcResult<NeardValidators>>(Refused);

        public Task<NeardRpcResult<EpochProduction>> GetProductionAsync(string accountId, long? epochLastHeight, CancellationToken cancellationToken) =>
            Task.FromResult<NeardRpcResult<EpochProduction>>(Refused);

        public Task<NeardRpcResult<NeardBlock>> GetBlockAsync(long height, CancellationToken cancellationToken) => Task.FromResult<NeardRpcResult<NeardBlock>>(Refused);

        public Task<NeardRpcResult<NeardChunk>> GetChunkAsync(long height, long shardId, CancellationToken cancellationToken) => Task.FromResult<NeardRpcResult<NeardChunk>>(Refused);

        public Task<NeardRpcResult<NeardMetrics>> GetMetricsAsync(CancellationToken cancellationToken) => Task.FromResult<NeardRpcResult<NeardMetrics>>(Refused);
    }
}
