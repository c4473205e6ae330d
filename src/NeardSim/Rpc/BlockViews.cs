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

/// <summary>Never populated: the sim has no chunks, but the list keeps the shape.</summary>
internal sealed record ChunkHeaderView(string ChunkHash, long ShardId);
