namespace Knd.Neard;

/// <summary>What knd needs of neard's <c>/status</c>.</summary>
internal sealed record NeardStatus(
    long LatestBlockHeight,
    bool Syncing,
    DateTimeOffset? LatestBlockTime,
    string? ValidatorAccountId,
    string? NodePublicKey,
    string? ChainId,
    string? Version);

/// <summary>A half-open range of block heights [Start, End), as neard's maintenance windows are.</summary>
internal readonly record struct BlockRange(long Start, long End)
{
    public long Length => End - Start;

    public bool Contains(long height) => height >= Start && height < End;
}

/// <summary>One current validator's production in the epoch (<c>validators</c> RPC).</summary>
internal sealed record ValidatorProduction(string AccountId, long ProducedBlocks, long ExpectedBlocks, long ProducedChunks, long ExpectedChunks);

/// <summary>The current epoch's validators.</summary>
internal sealed record NeardValidators(long EpochStartHeight, long? EpochHeight, IReadOnlyList<ValidatorProduction> Current)
{
    public ValidatorProduction? Find(string accountId) => Current.FirstOrDefault(v => v.AccountId == accountId);
}

/// <summary>Duties of one kind in an epoch so far (<c>validators</c>): expected, and produced of those.</summary>
internal readonly record struct DutyCount(long Expected, long Produced)
{
    /// <summary>Expected but not produced; never below 0, whatever neard reports.</summary>
    public long Missed => Math.Max(0, Expected - Produced);
}

/// <summary>
/// One validator account's production in an epoch: blocks, chunks and, where neard reports them,
/// chunk endorsements; <paramref name="Shards"/> are the shards it produces chunks for (<c>shards</c>,
/// empty when neard does not say).
/// </summary>
internal sealed record AccountProduction(DutyCount Blocks, DutyCount Chunks, DutyCount? Endorsements, IReadOnlyList<long>? Shards = null)
{
    /// <summary>
    /// Chunk duties and no block duty so far this epoch: a chunk producer without a block producer
    /// seat, whose signing shows only in chunks (or a block producer early in an epoch, before its
    /// first block duty: reading its chunks too costs little and misses nothing).
    /// </summary>
    public bool ProducesChunksOnly => Blocks.Expected == 0 && Chunks.Expected > 0;
}

/// <summary>The <c>validators</c> answer as the production watch reads it: the epoch, and one account's counts (null when it is not a current validator).</summary>
internal sealed record EpochProduction(long EpochStartHeight, long? EpochHeight, AccountProduction? Account);

/// <summary>
/// A block (<c>block</c> by height): its height, its author, its header timestamp in nanoseconds since
/// the Unix epoch, and the chunk headers it includes (one per shard).
/// </summary>
internal sealed record NeardBlock(long Height, string Author, long TimestampNanos, IReadOnlyList<NeardChunkHeader>? Chunks = null);

/// <summary>A chunk header in a block: its shard and the height it was made at (below the block's when the shard's chunk was missed).</summary>
internal readonly record struct NeardChunkHeader(long ShardId, long HeightCreated);

/// <summary>A chunk (<c>chunk</c> by block and shard): its producer, the height it was made at, and its shard.</summary>
internal sealed record NeardChunk(string Author, long HeightCreated, long ShardId);

/// <summary>
/// The value neard reports for its <c>expected_shutdown</c> setting through
/// <c>near_config_mutable_field</c>: <see cref="Height"/> is null for neard's <c>None</c>.
/// </summary>
internal sealed record ExpectedShutdownField(long? Height);

/// <summary>The neard metrics knd reads, and every sample for anything else.</summary>
internal sealed record NeardMetrics(IReadOnlyList<PrometheusSample> Samples)
{
    /// <summary><c>near_config_reloads_total</c>: rises when a SIGHUP reload applied (not when it failed).</summary>
    public long? ConfigReloadsTotal => Integer(Value("near_config_reloads_total"));

    /// <summary><c>near_block_produced_total</c>: blocks this neard produced since it started (counted when produced).</summary>
    public long? BlockProducedTotal => Integer(Value("near_block_produced_total"));

    /// <summary><c>near_block_height_head</c>: the height of this neard's head when the metrics were read.</summary>
    /// <summary><c>near_chunk_produced_total</c>: the chunks this neard produced since it started.</summary>
    public long? ChunkProducedTotal => Integer(Value("near_chunk_produced_total"));

    public long? BlockHeightHead => Integer(Value("near_block_height_head"));

    /// <summary><c>near_block_expected_shutdown</c> from kuutamo's neard patch (and neard-sim).</summary>
    public long? BlockExpectedShutdown => Integer(Value("near_block_expected_shutdown"));

    /// <summary>
    /// The current <c>expected_shutdown</c> from upstream's <c>near_config_mutable_field</c> (the
    /// series at 1; the latest by its timestamp label when several are), or null when not reported.
    /// </summary>
    public ExpectedShutdownField? MutableExpectedShutdown
    {
        get
        {
            var current = Samples
                .Where(s => s.Name == "near_config_mutable_field" && s.Value == 1 && s.Label("field_name") == "expected_shutdown")
                .OrderBy(s => long.TryParse(s.Label("timestamp"), out var t) ? t : 0)
                .LastOrDefault();
            return current?.Label("value") is { } text ? ParseRustOption(text) : null;
        }
    }

    public double? Value(string name) => Samples.FirstOrDefault(s => s.Name == name)?.Value;

    /// <summary>A sample that holds a whole number in long's range; anything else (NaN, 1e300, 2.5) is no height.</summary>
    private static long? Integer(double? value) =>
        value is { } v && double.IsFinite(v) && v == Math.Floor(v) && v >= long.MinValue && v < 9.2233720368547758E+18 ? (long)v : null;

    /// <summary>Rust's Debug of an <c>Option&lt;u64&gt;</c>: <c>None</c> or <c>Some(123)</c>.</summary>
    private static ExpectedShutdownField? ParseRustOption(string text)
    {
        if (text == "None")
        {
            return new ExpectedShutdownField(null);
        }

        return text.StartsWith("Some(", StringComparison.Ordinal) && text.EndsWith(')')
            && long.TryParse(text.AsSpan(5, text.Length - 6), out var height)
            ? new ExpectedShutdownField(height)
            : null;
    }
}
