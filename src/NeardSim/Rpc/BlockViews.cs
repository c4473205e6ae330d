namespace NeardSim.Rpc;

// nearcore's BlockView / BlockHeaderView, with the header fields in their wire order.

internal sealed record BlockHeaderView(
    long Height,
    long? PrevHeight,
    string EpochId,
    string NextEpochId,
    string Hash,
    string PrevHash,
    string PrevStateRoot,
    string? BlockBodyHash,
    string ChunkReceiptsRoot,
    string ChunkHeadersRoot,
    string ChunkTxRoot,
    string OutcomeRoot,
    int ChunksIncluded,
    string ChallengesRoot,
    ulong Timestamp,
    string TimestampNanosec,
    string RandomValue,
    IReadOnlyList<ValidatorStakeView> ValidatorProposals,
    IReadOnlyList<bool> ChunkMask,
    string GasPrice,
    long? BlockOrdinal,
    string RentPaid,
    string ValidatorReward,
    string TotalSupply,
    IReadOnlyList<string> ChallengesResult,
    string LastFinalBlock,
    string LastDsFinalBlock,
    string NextBpHash,
    string BlockMerkleRoot,
    string? EpochSyncDataHash,
    IReadOnlyList<string?> Approvals,
    string Signature,
    int LatestProtocolVersion);

internal sealed record BlockView(string Author, BlockHeaderView Header, IReadOnlyList<ChunkHeaderView> Chunks);

/// <summary>
/// nearcore's ChunkHeaderView, the fields a reader of authorship needs: a block lists one per shard,
/// and a shard whose chunk was missed carries the header of the last chunk included
/// (<c>height_created</c> below the block's height).
/// </summary>
internal sealed record ChunkHeaderView(
    string ChunkHash,
    string PrevBlockHash,
    long HeightCreated,
    long HeightIncluded,
    long ShardId,
    string Signature);

/// <summary>nearcore's ChunkView (the <c>chunk</c> method): the chunk producer, the header, and no transactions or receipts.</summary>
internal sealed record ChunkView(string Author, ChunkHeaderView Header, IReadOnlyList<string> Transactions, IReadOnlyList<string> Receipts);
