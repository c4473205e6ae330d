namespace NeardSim.Rpc;

// nearcore's EpochValidatorInfo and friends (views.rs), fields in wire order.

internal sealed record CurrentEpochValidatorView(
    string AccountId,
    string PublicKey,
    bool IsSlashed,
    string Stake,
    IReadOnlyList<int> Shards,
    long NumProducedBlocks,
    long NumExpectedBlocks,
    long NumProducedChunks,
    long NumExpectedChunks,
    IReadOnlyList<long> NumProducedChunksPerShard,
    IReadOnlyList<long> NumExpectedChunksPerShard,
    long NumProducedEndorsements,
    long NumExpectedEndorsements,
    IReadOnlyList<long> NumProducedEndorsementsPerShard,
    IReadOnlyList<long> NumExpectedEndorsementsPerShard,
    IReadOnlyList<int> ShardsEndorsed);

internal sealed record NextEpochValidatorView(string AccountId, string PublicKey, string Stake, IReadOnlyList<int> Shards);

internal sealed record ValidatorStakeView(string ValidatorStakeStructVersion, string AccountId, string PublicKey, string Stake);

/// <summary>Never populated: the sim kicks nobody out.</summary>
internal sealed record KickoutView(string AccountId, string Reason);

internal sealed record EpochValidatorInfoView(
    IReadOnlyList<CurrentEpochValidatorView> CurrentValidators,
    IReadOnlyList<NextEpochValidatorView> NextValidators,
    IReadOnlyList<ValidatorStakeView> CurrentFishermen,
    IReadOnlyList<ValidatorStakeView> NextFishermen,
    IReadOnlyList<ValidatorStakeView> CurrentProposals,
    IReadOnlyList<KickoutView> PrevEpochKickout,
    long EpochStartHeight,
    long EpochHeight);

/// <summary>Newer nearcore's <c>Range&lt;u64&gt;</c> window.</summary>
internal sealed record WindowObjectView(long Start, long End);
