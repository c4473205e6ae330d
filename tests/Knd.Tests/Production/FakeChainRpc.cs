using System.Collections.Concurrent;
using Knd.Neard;

namespace Knd.Tests.Production;

/// <summary>
/// A neard RPC over a chain the test writes: each height's author and timestamp, and the validator
/// account's counters per epoch. It counts every call, and can fail the next calls on demand.
/// </summary>
internal sealed class FakeChainRpc : INeardRpc
{
    private readonly ConcurrentDictionary<long, NeardBlock> _blocks = new();
    private readonly ConcurrentDictionary<long, AccountProduction?> _finished = new();
    private readonly ConcurrentDictionary<(long Height, long Shard), NeardChunk> _chunks = new();
    private int _chunkCalls;
    private int _productionCalls;
    private int _blockCalls;

    public long EpochStart { get; set; }

    /// <summary>The current epoch's counters of the validator account; null: not a current validator.</summary>
    public AccountProduction? Counts { get; set; } = Production(0, 0);

    /// <summary>When set, the next calls of that kind answer this error.</summary>
    public NeardRpcError? FailProduction { get; set; }

    public NeardRpcError? FailBlocks { get; set; }

    /// <summary>Thrown by the next block call, as a bug inside knd would.</summary>
    public Exception? ThrowOnBlock { get; set; }

    public int ProductionCalls => Volatile.Read(ref _productionCalls);

    public int BlockCalls => Volatile.Read(ref _blockCalls);

    public int Calls => ProductionCalls + BlockCalls;

    public List<long> BlockHeightsAsked { get; } = [];

    public static AccountProduction Production(long expected, long produced, long? endorsementsExpected = null, long? endorsementsProduced = null) =>
        new(new DutyCount(expected, produced), new DutyCount(expected, produced), endorsementsExpected is { } e ? new DutyCount(e, endorsementsProduced ?? e) : null);

    public void Block(long height, string author, DateTimeOffset producedAt) =>
        _blocks[height] = new NeardBlock(height, author, (producedAt - DateTimeOffset.UnixEpoch).Ticks * 100);

    /// <summary>
    /// The chunk of <paramref name="shard"/> in the block at <paramref name="height"/> (which the test writes
    /// too): made there by <paramref name="author"/>, or with <paramref name="createdAt"/> below the height, an
    /// older chunk carried over because the shard's chunk was missed.
    /// </summary>
    public void Chunk(long height, long shard, string author, long? createdAt = null) =>
        _chunks[(height, shard)] = new NeardChunk(author, createdAt ?? height, shard);

    /// <summary>When set, the next chunk calls answer this error.</summary>
    public NeardRpcError? FailChunks { get; set; }

    public int ChunkCalls => Volatile.Read(ref _chunkCalls);

    public List<(long Height, long Shard)> ChunksAsked { get; } = [];

    public Task<NeardRpcResult<NeardChunk>> GetChunkAsync(long height, long shardId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _chunkCalls);
        lock (ChunksAsked)
        {
            ChunksAsked.Add((height, shardId));
        }

        if (FailChunks is { } error)
        {
            return Task.FromResult<NeardRpcResult<NeardChunk>>(error);
        }

        return Task.FromResult(_chunks.TryGetValue((height, shardId), out var chunk)
            ? NeardRpcResult<NeardChunk>.Ok(chunk)
            : new NeardRpcError(NeardRpcErrorKind.RpcError, "chunk: Chunk Missing", 200, "HANDLER_ERROR", "UNKNOWN_CHUNK", -32000));
    }

    /// <summary>What <c>validators [H]</c> answers for the epoch that ended at H.</summary>
    public void Finished(long lastHeight, AccountProduction? counts) => _finished[lastHeight] = counts;

    public Task<NeardRpcResult<EpochProduction>> GetProductionAsync(string accountId, long? epochLastHeight, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _productionCalls);
        if (FailProduction is { } error)
        {
            return Task.FromResult<NeardRpcResult<EpochProduction>>(error);
        }

        if (epochLastHeight is { } last)
        {
            return Task.FromResult(_finished.TryGetValue(last, out var counts)
                ? NeardRpcResult<EpochProduction>.Ok(new EpochProduction(StartOfEpochEndingAt(last), null, counts))
                : new NeardRpcError(NeardRpcErrorKind.RpcError, "validators: Unknown Epoch", 200, "HANDLER_ERROR", "UNKNOWN_EPOCH", -32000));
        }

        return Task.FromResult(NeardRpcResult<EpochProduction>.Ok(new EpochProduction(EpochStart, null, Counts)));
    }

    public Task<NeardRpcResult<NeardBlock>> GetBlockAsync(long height, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _blockCalls);
        CallOrder.Enqueue("block");
        lock (BlockHeightsAsked)
        {
            BlockHeightsAsked.Add(height);
        }

        if (ThrowOnBlock is { } exception)
        {
            ThrowOnBlock = null;
            throw exception;
        }

        if (FailBlocks is { } error)
        {
            return Task.FromResult<NeardRpcResult<NeardBlock>>(error);
        }

        return Task.FromResult(_blocks.TryGetValue(height, out var block)
            ? NeardRpcResult<NeardBlock>.Ok(block with { Chunks = [.. _chunks.Where(c => c.Key.Height == height).OrderBy(c => c.Key.Shard).Select(c => new NeardChunkHeader(c.Key.Shard, c.Value.HeightCreated))] })
            : new NeardRpcError(NeardRpcErrorKind.RpcError, "block: DB Not Found Error", 200, "HANDLER_ERROR", "UNKNOWN_BLOCK", -32000));
    }

    public Task<NeardRpcResult<NeardStatus>> GetStatusAsync(CancellationToken cancellationToken) => Unused<NeardStatus>();

    public Task<NeardRpcResult<long>> GetFinalBlockHeightAsync(CancellationToken cancellationToken) => Unused<long>();

    public Task<NeardRpcResult<IReadOnlyList<BlockRange>>> GetMaintenanceWindowsAsync(string accountId, CancellationToken cancellationToken) => Unused<IReadOnlyList<BlockRange>>();

    public Task<NeardRpcResult<NeardValidators>> GetValidatorsAsync(CancellationToken cancellationToken) => Unused<NeardValidators>();

    /// <summary>neard's <c>near_block_produced_total</c>; null: /metrics fails (or lacks it, with <see cref="MetricsWithoutCounter"/>).</summary>
    public long? ProducedTotal { get; set; }

    /// <summary>neard's <c>near_chunk_produced_total</c>, written next to the block count when set.</summary>
    public long? ChunkProducedTotal { get; set; }

    /// <summary>neard's <c>near_block_height_head</c> in the same /metrics.</summary>
    public long NeardHead { get; set; } = 1000;

    /// <summary>/metrics answers, without <c>near_block_produced_total</c> (a neard that does not export it).</summary>
    public bool MetricsWithoutCounter { get; set; }

    /// <summary>The order of the calls by kind ("block", "metrics"), to show what is read after what.</summary>
    public ConcurrentQueue<string> CallOrder { get; } = new();

    public int MetricsCalls => CallOrder.Count(c => c == "metrics");

    public Task<NeardRpcResult<NeardMetrics>> GetMetricsAsync(CancellationToken cancellationToken)
    {
        CallOrder.Enqueue("metrics");
        if (MetricsWithoutCounter)
        {
            return Task.FromResult(NeardRpcResult<NeardMetrics>.Ok(new NeardMetrics(PrometheusText.Parse("near_block_height_head 100\n", out _))));
        }

        return ProducedTotal is { } total
            ? Task.FromResult(NeardRpcResult<NeardMetrics>.Ok(new NeardMetrics(PrometheusText.Parse($"near_block_height_head {NeardHead}\nnear_block_produced_total {total}\n" + (ChunkProducedTotal is { } chunks ? $"near_chunk_produced_total {chunks}\n" : ""), out _))))
            : Unused<NeardMetrics>();
    }

    /// <summary>The tests' epochs are 100 heights long.</summary>
    private static long StartOfEpochEndingAt(long last) => last + 1 - 100;

    private static Task<NeardRpcResult<T>> Unused<T>() =>
        Task.FromResult<NeardRpcResult<T>>(new NeardRpcError(NeardRpcErrorKind.ConnectionRefused, "not used by the chain watch"));
}
