using System.Collections.Concurrent;
using System.Net;
using Knd.Configuration;
using Knd.Neard;
using Knd.Supervision;
using Knd.Tests.Infrastructure;
using Knd.Tests.Neard;

namespace Knd.Tests.Supervision;

/// <summary>A neard that exists only in the test: it records signals and stops as told.</summary>
internal sealed class FakeNeardProcess(int pid, string home) : INeardProcess
{
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _kills;

    public int Pid => pid;

    public string Home => home;

    public Task<int> Exited => _exited.Task;

    public ConcurrentQueue<int> Signals { get; } = new();

    /// <summary>Runs on every <see cref="Signal"/>; throw from it to act as a failing kill(2).</summary>
    public Action<int>? OnSignal { get; set; }

    /// <summary>Replaces the stop; by default the process exits at once after SIGTERM.</summary>
    public Func<CancellationToken, Task<NeardStopResult>>? OnStop { get; set; }

    public int Kills => Volatile.Read(ref _kills);

    public int StopCalls { get; private set; }

    public void Exit(int code) => _exited.TrySetResult(code);

    public bool Signal(int signal)
    {
        OnSignal?.Invoke(signal);
        Signals.Enqueue(signal);
        return !_exited.Task.IsCompleted;
    }

    public async Task<NeardStopResult> StopAsync(TimeSpan termTimeout, TimeSpan killConfirmTimeout, CancellationToken cancellationToken)
    {
        StopCalls++;
        if (OnStop is { } stop)
        {
            return await stop(cancellationToken);
        }

        if (_exited.Task.IsCompleted)
        {
            return NeardStopResult.AlreadyExited;
        }

        Exit(143);
        return NeardStopResult.ExitedAfterTerm;
    }

    public void KillNow()
    {
        Interlocked.Increment(ref _kills);
        Exit(137);
    }

    public void Dispose()
    {
    }
}

/// <summary>Starts <see cref="FakeNeardProcess"/>es, or does what a test tells it to.</summary>
internal sealed class FakeNeardLauncher : INeardProcessLauncher
{
    private int _nextPid = 900_001;

    public ConcurrentQueue<FakeNeardProcess> Started { get; } = new();

    /// <summary>Replaces the start; <see cref="StartDefault"/> is the normal one.</summary>
    public Func<NeardStartSpec, CancellationToken, Task<INeardProcess>>? OnStart { get; set; }

    public Task<INeardProcess> StartAsync(NeardStartSpec spec, CancellationToken cancellationToken) =>
        OnStart is { } start ? start(spec, cancellationToken) : Task.FromResult<INeardProcess>(StartDefault(spec));

    public FakeNeardProcess StartDefault(NeardStartSpec spec)
    {
        var process = new FakeNeardProcess(Interlocked.Increment(ref _nextPid), spec.Home);
        Started.Enqueue(process);
        return process;
    }
}

/// <summary>A neard RPC whose /status answer a test sets; the other calls fail as if refused.</summary>
internal sealed class FakeNeardRpc : INeardRpc
{
    private static readonly NeardRpcError Refused = new(NeardRpcErrorKind.ConnectionRefused, "fake");
    private int _statusCalls;

    public Func<CancellationToken, Task<NeardRpcResult<NeardStatus>>> OnStatus { get; set; } =
        _ => Task.FromResult(NeardRpcResult<NeardStatus>.Ok(new NeardStatus(100, false, null, null, null, null, null)));

    public int StatusCalls => Volatile.Read(ref _statusCalls);

    public Task<NeardRpcResult<NeardStatus>> GetStatusAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _statusCalls);
        return OnStatus(cancellationToken);
    }

    public Task<NeardRpcResult<long>> GetFinalBlockHeightAsync(CancellationToken cancellationToken) => Task.FromResult<NeardRpcResult<long>>(Refused);

    public Task<NeardRpcResult<IReadOnlyList<BlockRange>>> GetMaintenanceWindowsAsync(string accountId, CancellationToken cancellationToken) =>
        Task.FromResult<NeardRpcResult<IReadOnlyList<BlockRange>>>(Refused);

    public Task<NeardRpcResult<NeardValidators>> GetValidatorsAsync(CancellationToken cancellationToken) => Task.FromResult<NeardRpcResult<NeardValidators>>(Refused);

    public Task<NeardRpcResult<EpochProduction>> GetProductionAsync(string accountId, long? epochLastHeight, CancellationToken cancellationToken) =>
        Task.FromResult<NeardRpcResult<EpochProduction>>(Refused);

    public Task<NeardRpcResult<NeardBlock>> GetBlockAsync(long height, CancellationToken cancellationToken) => Task.FromResult<NeardRpcResult<NeardBlock>>(Refused);

    public Task<NeardRpcResult<NeardChunk>> GetChunkAsync(long height, long shardId, CancellationToken cancellationToken) => Task.FromResult<NeardRpcResult<NeardChunk>>(Refused);

    public Task<NeardRpcResult<NeardMetrics>> GetMetricsAsync(CancellationToken cancellationToken) => Task.FromResult<NeardRpcResult<NeardMetrics>>(Refused);
}

/// <summary>
/// A real <see cref="NeardDriver"/> on a real home directory, with a fake launcher, RPC and clock;
/// the events it posts and the worker faults it reports are kept for assertions.
/// </summary>
internal sealed class NeardDriverRig : IAsyncDisposable
{
    private readonly TempDirectory _home = new();
    private readonly TempDirectory _credentials = new();
    private readonly ConcurrentQueue<SupervisorEvent> _events = new();
    private readonly ConcurrentQueue<Exception> _faults = new();
    private int _rpcErrors;

    /// <param name="chainWatch">Gives the driver a chain watch over the rig's RPC; it posts to the rig's events.</param>
    public NeardDriverRig(bool chainWatch = false)
    {
        File.WriteAllText(_home.File("config.json"), NeardTestData.Config);
        File.WriteAllText(_credentials.File("validator_key.json"), NeardTestData.ValidatorKey);
        File.WriteAllText(_credentials.File("validator_node_key.json"), NeardTestData.ValidatorNodeKey);
        File.WriteAllText(_credentials.File("voter_node_key.json"), NeardTestData.VoterNodeKey);
        var options = new KndRunOptions
        {
            NodeId = "node-a",
            AccountId = "mypool.pool.f863973.m0",
            ConsulUrl = new Uri("http://127.0.0.1:8500/"),
            LockKeyPrefix = "kuutamod-leader/",
            ExporterAddress = new IPEndPoint(IPAddress.Loopback, 0),
            ControlSocket = _home.File("knd.sock"),
            NeardBin = "/bin/true",
            NeardHome = _home.Path,
            ValidatorKey = _credentials.File("validator_key.json"),
            ValidatorNodeKey = _credentials.File("validator_node_key.json"),
            VoterNodeKey = _credentials.File("voter_node_key.json"),
            ValidatorNetworkAddr = new IPEndPoint(IPAddress.Any, 24567),
            VoterNetworkAddr = new IPEndPoint(IPAddress.Any, 24568),
            PublicAddresses = [],
            Promotion = PromotionMode.Restart,
        };
        Timings = FailoverTimings.From(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), null, TimeSpan.FromSeconds(30));
        var logger = Logs.CreateFactory().CreateLogger("Knd.Supervision.NeardDriver");
        Driver = new NeardDriver(
            options,
            Timings,
            Launcher,
            new NeardHome(_home.Path, logger),
            _ => Rpc,
            _events.Enqueue,
            () => Interlocked.Increment(ref _rpcErrors),
            Time,
            logger,
            _faults.Enqueue,
            chainWatch ? new Knd.Production.ChainObserver(options.AccountId, Time, _events.Enqueue, new Knd.Production.ProductionBook(), () => null, () => { }, logger) : null);
    }

    public FakeTimeProvider Time { get; } = new();

    public FailoverTimings Timings { get; }

    public FakeNeardLauncher Launcher { get; } = new();

    public FakeNeardRpc Rpc { get; } = new();

    public CapturingLoggerProvider Logs { get; } = new();

    public NeardDriver Driver { get; }

    public IReadOnlyList<SupervisorEvent> Events => [.. _events];

    public IReadOnlyList<Exception> Faults => [.. _faults];

    public int RpcErrors => Volatile.Read(ref _rpcErrors);

    public string HomeFile(string name) => _home.File(name);

    /// <summary>Waits (on the real clock, bounded) for the first posted event of type <typeparamref name="T"/> that matches.</summary>
    public async Task<T> WaitForAsync<T>(Func<T, bool>? match = null, string? what = null)
        where T : SupervisorEvent
    {
        T? found = null;
        await Deadline.WaitUntilAsync(
            () => (found = _events.OfType<T>().FirstOrDefault(e => match?.Invoke(e) != false)) is not null,
            TimeSpan.FromSeconds(10),
            what ?? typeof(T).Name);
        return found!;
    }

    public async Task<Exception> WaitForFaultAsync()
    {
        await Deadline.WaitUntilAsync(() => !_faults.IsEmpty, TimeSpan.FromSeconds(10), "a worker fault");
        return Faults[0];
    }

    public async ValueTask DisposeAsync()
    {
        await Driver.DisposeAsync();
        Logs.Dispose();
        _home.Dispose();
        _credentials.Dispose();
    }
}
