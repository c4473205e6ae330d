using System.Text.Json.Serialization;
using NeardSim.Chain;

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

/// <summary><c>{"account_id":"A","reason":{"NotEnoughBlocks":{"produced":P,"expected":E}}}</c>.</summary>
internal sealed record KickoutView(string AccountId, KickoutReasonView Reason)
{
    public static KickoutView From(Kickout kickout)
    {
        var counts = new ProducedExpectedView(kickout.Production.Produced, kickout.Production.Expected);
        return new KickoutView(kickout.AccountId, kickout.Kind switch
        {
            KickoutKind.NotEnoughBlocks => new KickoutReasonView(counts, null, null),
            KickoutKind.NotEnoughChunks => new KickoutReasonView(null, counts, null),
            _ => new KickoutReasonView(null, null, counts),
        });
    }
}

/// <summary>nearcore's externally tagged ValidatorKickoutReason: exactly one variant is written.</summary>
internal sealed record KickoutReasonView(
    [property: JsonPropertyName("NotEnoughBlocks"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    ProducedExpectedView? NotEnoughBlocks,
    [property: JsonPropertyName("NotEnoughChunks"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    ProducedExpectedView? NotEnoughChunks,
    [property: JsonPropertyName("NotEnoughChunkEndorsements"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    ProducedExpectedView? NotEnoughChunkEndorsements);

internal sealed record ProducedExpectedView(long Produced, long Expected);

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
