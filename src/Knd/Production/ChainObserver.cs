using System.Threading.Channels;
using Knd.Logging;
using Knd.Neard;

namespace Knd.Production;

/// <summary>
/// The chain watch of every knd, leader and passive (docs/failover-algorithm.md, "Production watch").
/// Each time the health poll reports a new synced head, it reads the validator account's epoch
/// counters (<c>validators [null]</c>) and the author of each block below the head it has not read
/// (<c>block {"block_id":H}</c>; the head's block is read by the next look, once a later block exists),
/// and posts one <see cref="ProductionObservedEvent"/> (or a <see cref="ProductionObserveFailedEvent"/>):
/// about two RPC calls per block, none while the head stands still. For an account that has chunk
/// duties and no block duty (a chunk-only producer, whose signing shows in chunks alone) it also reads
/// the author of each new chunk of its shards (<c>chunk {"block_id":H,"shard_id":S}</c>): one more
/// call per block and shard. On the leader, a look that found
/// blocks of the account also reads neard's count of the blocks it produced (<c>/metrics</c>), for
/// the leader's check that nobody else signs its duty heights. It keeps a few numbers, never
/// the chain: memory is bounded whatever the epoch's length.
/// </summary>
internal sealed class ChainObserver
{
    /// <summary>
    /// The most blocks one look reads: a look that fell behind (the first after a start, a slow neard)
    /// reads only the newest heights, so it stays a bounded number of calls. Twenty blocks is 10 s at
    /// 500 ms blocks, more than the stranger rule can use (it looks past the fence bound only).
    /// </summary>
    internal const int MaxBlocksPerLook = 20;

    /// <summary>
    /// The most chunks read per block for a chunk-only producer: a producer has one or a few shards,
    /// and a neard that lists no <c>shards</c> (or a block with absurdly many chunks) must not turn
    /// one look into thousands of calls. Mainnet has 9 shards.
    /// </summary>
    internal const int MaxChunkReadsPerBlock = 16;

    private readonly string _accountId;
    private readonly TimeProvider _time;
    private readonly Action<SupervisorEvent> _post;
    private readonly ProductionBook _book;
    private readonly Func<string?> _leader;
    private readonly Func<bool> _validating;
    private readonly Action _onRpcError;
    private readonly ILogger _logger;
    private readonly FailureLogLimiter _failures;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long? _scanned;
    private EpochBaseline? _baseline;
    private bool _lastLookOk;
    private long _watch;
    private bool _saidNoCounter;
    private bool _saidChunkNotKept;

    /// <summary>
    /// Posts to the supervisor through <paramref name="post"/>, records what it saw in <paramref name="book"/>,
    /// reads who holds the lock now from <paramref name="leader"/> (for "produced by") and counts a failed
    /// call with <paramref name="onRpcError"/>; <paramref name="validating"/> says whether this node leads
    /// with the key now (only then is neard's own block count read).
    /// </summary>
    public ChainObserver(string accountId, TimeProvider time, Action<SupervisorEvent> post, ProductionBook book, Func<string?> leader, Action onRpcError, ILogger logger, Func<bool>? validating = null)
    {
        _validating = validating ?? (() => false);
        _accountId = accountId;
        _time = time;
        _post = post;
        _book = book;
        _leader = leader;
        _onRpcError = onRpcError;
        _logger = logger;
        _failures = new FailureLogLimiter(time);
    }

    /// <summary>
    /// Starts watching the chain through one neard's RPC until <paramref name="lifetime"/> ends (the
    /// neard exits). The returned callback takes each synced head its health poll sees; a look that is
    /// still running when heads arrive continues with the newest one only.
    /// </summary>
    public Action<long> Watch(INeardRpc rpc, CancellationToken lifetime)
    {
        // Each neard counts its blocks from 0: the leader's check must not compare two processes' counts.
        Interlocked.Increment(ref _watch);
        var heads = Channel.CreateBounded<long>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        _ = Task.Run(() => RunAsync(rpc, heads.Reader, lifetime), CancellationToken.None);
        return head => heads.Writer.TryWrite(head);
    }

    /// <summary>One look at the chain up to <paramref name="head"/>; never throws but for cancellation.</summary>
    internal async Task LookAsync(INeardRpc rpc, long head, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await LookCoreAsync(rpc, head, cancellationToken);
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // A bug must not end the watch: it is a failed look like any other, and the next head tries again.
            Fail("the chain watch failed inside knd", $"{e.GetType().Name}: {e.Message}", e);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task RunAsync(INeardRpc rpc, ChannelReader<long> heads, CancellationToken lifetime)
    {
        try
        {
            await foreach (var head in heads.ReadAllAsync(lifetime))
            {
                await LookAsync(rpc, head, lifetime);
            }
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            // The neard exited or knd is stopping.
        }
    }

    private async Task LookCoreAsync(INeardRpc rpc, long head, CancellationToken cancellationToken)
    {
        if (_scanned is { } scanned && head <= scanned)
        {
            // Nothing new on the chain: the watch is still up to the head (the take-over gate needs it fresh).
            if (_lastLookOk)
            {
                _post(new ProductionObservedEvent(0, 0, scanned, scanned, []));
            }

            return;
        }

        var answer = await rpc.GetProductionAsync(_accountId, null, cancellationToken);
        if (!answer.TryGetValue(out var epoch, out var error))
        {
            Fail("validators", error);
            return;
        }

        var finished = await FinishedEpochAsync(rpc, epoch, cancellationToken);
        // neard counts a missed duty only once a later block exists, so the counters' change since the
        // previous look can include the duty at that look's head: the look covers (previous head - 1, head].
        var from = _scanned is { } previous ? previous - 1 : head - MaxBlocksPerLook;
        var now = _time.GetUtcNow();
        List<OwnBlock>? own = null;
        List<OwnBlock>? ownChunks = null;
        // A block is read once the next one exists, as neard judges a miss: the block at the head is
        // read by the next look. A signer whose signature comes late in its slot (a fresh process, a
        // loaded host) would otherwise be read as absent at the head, and no look reads a height twice.
        for (var height = Math.Max(head - 1 - MaxBlocksPerLook, (_scanned ?? 0) - 1) + 1; height < head; height++)
        {
            var block = await rpc.GetBlockAsync(height, cancellationToken);
            if (!block.TryGetValue(out var found, out var blockError))
            {
                if (IsNoBlock(blockError))
                {
                    continue;
                }

                Fail("block", blockError);
                return;
            }

            if (found.Author == _accountId)
            {
                (own ??= []).Add(new OwnBlock(height, Ago(now, found.TimestampNanos)));
            }

            if (epoch.Account is { ProducesChunksOnly: true } account)
            {
                var chunks = await OwnChunksAsync(rpc, found, account, cancellationToken);
                if (chunks is null)
                {
                    return;
                }

                if (chunks > 0)
                {
                    (ownChunks ??= []).Add(new OwnBlock(height, Ago(now, found.TimestampNanos)));
                }
            }
        }

        // A chunk-only producer's own signatures are its chunks: its neard's chunk count is the one to compare.
        var chunksOnly = epoch.Account is { ProducesChunksOnly: true };
        var neardProduced = (chunksOnly ? ownChunks : own) is { Count: > 0 } && _validating() ? await NeardProducedAsync(rpc, chunksOnly, cancellationToken) : null;
        var (produced, missed) = ProductionDelta.Between(_baseline, epoch, finished);
        _baseline = new EpochBaseline(epoch.EpochStartHeight, epoch.Account);
        _scanned = head;
        _lastLookOk = true;
        var recovered = _failures.Succeeded("look");
        if (recovered.Kind == FailureLogKind.Recovered)
        {
            _logger.ChainWatchRecovered(recovered.Count, (long)recovered.Window.TotalSeconds);
        }

        Record(epoch, head, Newest(own, ownChunks), missed);
        _post(new ProductionObservedEvent(produced, missed, from, head, (IReadOnlyList<OwnBlock>?)own ?? [], neardProduced, ownChunks));
    }

    /// <summary>
    /// How many chunks made at the block's height, on the shards <paramref name="account"/> produces
    /// chunks for (every shard when neard does not say), the validator account made; null when a read
    /// failed (the look fails). A chunk neard does not keep (a shard it does not track) is not seen,
    /// said once in the log.
    /// </summary>
    private async Task<int?> OwnChunksAsync(INeardRpc rpc, NeardBlock block, AccountProduction account, CancellationToken cancellationToken)
    {
        var own = 0;
        var reads = 0;
        foreach (var header in block.Chunks ?? [])
        {
            // A shard whose chunk was missed carries an older chunk's header: not made at this height.
            if (header.HeightCreated != block.Height || (account.Shards is { Count: > 0 } shards && !shards.Contains(header.ShardId)))
            {
                continue;
            }

            if (++reads > MaxChunkReadsPerBlock)
            {
                break;
            }

            var chunk = await rpc.GetChunkAsync(block.Height, header.ShardId, cancellationToken);
            if (!chunk.TryGetValue(out var found, out var error))
            {
                if (error.Kind == NeardRpcErrorKind.RpcError && error.RpcCause is "UNKNOWN_CHUNK" or "UNKNOWN_BLOCK")
                {
                    if (error.RpcCause == "UNKNOWN_CHUNK" && !_saidChunkNotKept)
                    {
                        _saidChunkNotKept = true;
                        _logger.ChunkNotKept(header.ShardId, block.Height);
                    }

                    continue;
                }

                Fail("chunk", error);
                return null;
            }

            if (found.Author == _accountId && found.HeightCreated == block.Height)
            {
                own++;
            }
        }

        return own;
    }

    /// <summary>
    /// neard's count of the blocks (or, with <paramref name="chunks"/>, the chunks) it produced and its head, read after them (so it covers
    /// every one of them that this neard produced); null when neard does not say. A failed read is counted as an RPC
    /// error and logged by the client; the next look that finds blocks reads it again.
    /// </summary>
    private async Task<NeardProducedCount?> NeardProducedAsync(INeardRpc rpc, bool chunks, CancellationToken cancellationToken)
    {
        var metrics = await rpc.GetMetricsAsync(cancellationToken);
        if (metrics.Value is not { } found)
        {
            _onRpcError();
            return null;
        }

        if ((chunks ? found.ChunkProducedTotal : found.BlockProducedTotal) is { } produced && found.BlockHeightHead is { } head)
        {
            return new NeardProducedCount(Interlocked.Read(ref _watch), produced, head, chunks);
        }

        if (!_saidNoCounter)
        {
            _saidNoCounter = true;
            _logger.NoProducedCounter(chunks ? "near_chunk_produced_total" : "near_block_produced_total", chunks ? "chunks" : "blocks");
        }

        return null;
    }

    /// <summary>
    /// When the epoch changed since the last look, the previous epoch's final counts (<c>validators [H]</c>
    /// at its last height), so its last duties are counted too; null when there is nothing to ask or
    /// neard cannot say (those few duties are then not counted).
    /// </summary>
    private async Task<AccountProduction?> FinishedEpochAsync(INeardRpc rpc, EpochProduction epoch, CancellationToken cancellationToken)
    {
        if (_baseline is not { Counts: not null } baseline || epoch.EpochStartHeight <= baseline.EpochStartHeight)
        {
            return null;
        }

        var answer = await rpc.GetProductionAsync(_accountId, epoch.EpochStartHeight - 1, cancellationToken);
        if (answer.Value is { } finished && finished.EpochStartHeight == baseline.EpochStartHeight)
        {
            return finished.Account;
        }

        _logger.EpochEndUnknown(baseline.EpochStartHeight, answer.Error?.ToString() ?? $"neard answered for the epoch starting at {answer.Value?.EpochStartHeight}");
        return null;
    }

    /// <summary>The newest height at which the validator key made a block or (for a chunk-only producer) a chunk.</summary>
    private static long? Newest(List<OwnBlock>? blocks, List<OwnBlock>? chunks)
    {
        long? newest = null;
        foreach (var own in (blocks ?? []).Concat(chunks ?? []))
        {
            newest = Math.Max(newest ?? own.Height, own.Height);
        }

        return newest;
    }

    private void Record(EpochProduction epoch, long head, long? newestOwn, int missed)
    {
        var before = _book.Latest;
        var leader = _leader();
        var account = epoch.Account;
        var (producedHeight, producedBy) = newestOwn is { } newest ? (newest, leader) : (before.LastProducedHeight, before.LastProducedBy);
        var (missedHeight, missedBy) = missed > 0 ? (head, leader) : (before.LastMissedHeight, before.LastMissedBy);
        _book.Publish(new ProductionStats(
            epoch.EpochStartHeight,
            epoch.EpochHeight,
            account is not null,
            account?.Blocks,
            account?.Chunks,
            account?.Endorsements,
            producedHeight,
            producedBy,
            missedHeight,
            missedBy,
            head,
            null));
    }

    private void Fail(string what, NeardRpcError error)
    {
        _onRpcError();
        Fail(what, error.ToString(), null);
    }

    private void Fail(string what, string error, Exception? exception)
    {
        _lastLookOk = false;
        var text = $"{what}: {error}";
        _book.Publish(_book.Latest with { LastError = text });
        _post(new ProductionObserveFailedEvent(text));
        var report = _failures.Failed("look");
        if (exception is not null && report.Kind == FailureLogKind.First)
        {
            _logger.ChainWatchCrashed(exception);
        }
        else if (report.Kind == FailureLogKind.First)
        {
            _logger.ChainWatchFailed(text);
        }
        else if (report.Kind == FailureLogKind.Repeated)
        {
            _logger.ChainWatchStillFailing(report.Count, (long)report.Window.TotalSeconds, text);
        }
    }

    /// <summary>A height without a block: skipped by its producer, garbage-collected, or not there yet.</summary>
    private static bool IsNoBlock(NeardRpcError error) => error.Kind == NeardRpcErrorKind.RpcError && error.RpcCause == "UNKNOWN_BLOCK";

    /// <summary>How long ago a block was produced, by its header timestamp and the wall clock (never negative).</summary>
    private static TimeSpan Ago(DateTimeOffset now, long timestampNanos)
    {
        var producedTicks = timestampNanos / 100;
        var nowTicks = now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return nowTicks > producedTicks ? TimeSpan.FromTicks(nowTicks - producedTicks) : TimeSpan.Zero;
    }
}
