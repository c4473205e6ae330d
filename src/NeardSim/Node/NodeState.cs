using NeardSim.Home;

namespace NeardSim.Node;

/// <summary>
/// The running node's state shared by the signing loop, SIGHUP reloads and RPC: the current
/// validator signer, the updatable config and the reload metrics.
/// </summary>
internal sealed class NodeState
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly Dictionary<string, int> _expectedShutdownSeries = new(StringComparer.Ordinal);
    private KeyFile? _validatorKey;
    private long? _expectedShutdown;
    private long _reloadsTotal;
    private bool _configCorrect;
    private DateTimeOffset _lastReloadTime;
    private long _signedTotal;
    private long _producedTotal;
    private long _chunkProducedTotal;
    private long? _catchUpEndsAt;

    /// <summary>The catch-up after a hot swap without shadow tracking, in blocks, when neither run --catch-up-after-swap nor sim.hot_swap_catchup_ms says otherwise.</summary>
    public const int DefaultCatchUpAfterSwapBlocks = 5;

    public NodeState(NearHome home, HomeSnapshot snapshot, string? bootNodes, TimeProvider time, int catchUpAfterSwapBlocks = DefaultCatchUpAfterSwapBlocks)
    {
        CatchUpAfterSwapMs = snapshot.Config.Sim.HotSwapCatchupMs ?? (int)Math.Min(int.MaxValue, (long)catchUpAfterSwapBlocks * snapshot.Genesis.BlockIntervalMs);
        _time = time;
        _startTimestamp = time.GetTimestamp();
        Home = home;
        Genesis = snapshot.Genesis;
        StartupConfig = snapshot.Config;
        NodeKey = snapshot.NodeKey;
        BootNodes = bootNodes;
        StartTime = time.GetUtcNow();

        // nearcore counts the initial load as a successful reload.
        _validatorKey = snapshot.ValidatorKey;
        _expectedShutdown = snapshot.Config.ExpectedShutdown;
        _expectedShutdownSeries[MutableValue(_expectedShutdown)] = 1;
        _reloadsTotal = 1;
        _configCorrect = true;
        _lastReloadTime = StartTime;
    }

    public NearHome Home { get; }

    public GenesisFile Genesis { get; }

    /// <summary>config.json as read at startup; only expected_shutdown is updatable.</summary>
    public ConfigFile StartupConfig { get; }

    public SimFaultOptions Sim => StartupConfig.Sim;

    /// <summary>How long a hot-swapped key this node does not shadow-track waits before it signs: sim.hot_swap_catchup_ms, else run --catch-up-after-swap blocks.</summary>
    public int CatchUpAfterSwapMs { get; }

    public KeyFile NodeKey { get; }

    /// <summary>The --boot-nodes argument; accepted and reported, otherwise unused.</summary>
    public string? BootNodes { get; }

    public DateTimeOffset StartTime { get; }

    public TimeSpan Uptime => _time.GetElapsedTime(_startTimestamp);

    public bool IsRpcReady => Uptime.TotalMilliseconds >= Sim.StartupMs;

    public bool IsSynced => Uptime.TotalMilliseconds >= Sim.SyncMs;

    public KeyFile? ValidatorKey
    {
        get
        {
            lock (_lock)
            {
                return _validatorKey;
            }
        }
    }

    public long? ExpectedShutdown
    {
        get
        {
            lock (_lock)
            {
                return _expectedShutdown;
            }
        }
    }

    /// <summary>
    /// True while a hot-swapped key that this node does not shadow-track is still catching up
    /// (sim.hot_swap_catchup_ms): the key is loaded and reported, but it does not sign yet.
    /// </summary>
    public bool IsCatchingUp
    {
        get
        {
            lock (_lock)
            {
                return _catchUpEndsAt is { } end && _time.GetTimestamp() < end;
            }
        }
    }

    public long SignedTotal => Interlocked.Read(ref _signedTotal);

    public void CountSigned() => Interlocked.Increment(ref _signedTotal);

    /// <summary>nearcore's near_block_produced_total: counted when a block is produced, before it reaches the chain.</summary>
    public long ProducedTotal => Interlocked.Read(ref _producedTotal);

    public void CountProduced() => Interlocked.Increment(ref _producedTotal);

    /// <summary>nearcore's near_chunk_produced_total: a duty height makes the chunk of shard 0 (and the block, unless chunk-only).</summary>
    public long ChunkProducedTotal => Interlocked.Read(ref _chunkProducedTotal);

    public void CountChunkProduced() => Interlocked.Increment(ref _chunkProducedTotal);

    public ReloadStatus ReloadStatus
    {
        get
        {
            lock (_lock)
            {
                return new ReloadStatus(
                    _reloadsTotal,
                    _configCorrect,
                    _lastReloadTime,
                    [.. _expectedShutdownSeries.Select(kv => (kv.Key, kv.Value))]);
            }
        }
    }

    /// <summary>
    /// Applies a successfully parsed reload. A missing key keeps the old signer (neard 2.0-2.2). A
    /// new key the node does not shadow-track starts catching up (config.json's tracking is read
    /// at startup only, as in nearcore).
    /// </summary>
    public ReloadOutcome ApplyReload(long? expectedShutdown, KeyFile? validatorKey)
    {
        lock (_lock)
        {
            var previousShutdown = _expectedShutdown;
            if (previousShutdown != expectedShutdown)
            {
                _expectedShutdownSeries[MutableValue(previousShutdown)] = 0;
                _expectedShutdownSeries[MutableValue(expectedShutdown)] = 1;
                _expectedShutdown = expectedShutdown;
            }

            var keyOutcome = KeyOutcome.Unchanged;
            var catchUpMs = 0;
            if (validatorKey is null)
            {
                keyOutcome = _validatorKey is null ? KeyOutcome.Unchanged : KeyOutcome.RemovedButKept;
            }
            else if (validatorKey != _validatorKey)
            {
                keyOutcome = _validatorKey is null ? KeyOutcome.Added : KeyOutcome.Changed;
                _validatorKey = validatorKey;
                catchUpMs = StartupConfig.TrackedShards.Covers(validatorKey.AccountId) ? 0 : CatchUpAfterSwapMs;
                _catchUpEndsAt = catchUpMs > 0
                    ? _time.GetTimestamp() + (long)(catchUpMs / 1000.0 * _time.TimestampFrequency)
                    : null;
            }

            _reloadsTotal++;
            _configCorrect = true;
            _lastReloadTime = _time.GetUtcNow();
            return new ReloadOutcome(previousShutdown, expectedShutdown, keyOutcome, _reloadsTotal, catchUpMs);
        }
    }

    /// <summary>A file failed to parse: nothing is applied and the counter stays (nearcore dyn_config).</summary>
    public void MarkReloadFailed()
    {
        lock (_lock)
        {
            _configCorrect = false;
        }
    }

    /// <summary>Rust's Debug of Option&lt;u64&gt;, the value label of near_config_mutable_field.</summary>
    public static string MutableValue(long? value) =>
        value is { } v ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Some({v})") : "None";
}
