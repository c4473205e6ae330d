namespace NeardSim.Chain;

/// <summary>Why a validator is kicked out (nearcore's ValidatorKickoutReason, the production variants).</summary>
internal enum KickoutKind
{
    NotEnoughBlocks,
    NotEnoughChunks,
    NotEnoughChunkEndorsements,
}

internal sealed record Kickout(string AccountId, KickoutKind Kind, Production Production);

/// <summary>Percent thresholds below which an epoch's production gets a validator kicked out (genesis.json).</summary>
internal sealed record KickoutThresholds(int BlockProducer, int ChunkProducer, int ChunkValidatorOnly)
{
    /// <summary>Mainnet's epoch config at protocol 69, the version the sim reports (core/primitives/res/epoch_configs/mainnet/69.json).</summary>
    public static readonly KickoutThresholds Default = new(80, 80, 80);
}

/// <summary>
/// nearcore's kick-out rule (epoch manager, compute_validators_to_reward_and_kickout) for one
/// finished epoch: blocks first, then chunks; endorsements only for a chunk-validator-only account.
/// Not modelled: the stake-based exemption (validator_max_kickout_stake_perc) and keeping the last
/// validator when all would go, so a silent validator is always reported.
/// </summary>
internal static class Kickouts
{
    /// <summary>
    /// <paramref name="production"/> gives blocks, chunks and endorsements per account. Ordered by
    /// account id (nearcore returns them from a BTreeMap).
    /// </summary>
    public static IReadOnlyList<Kickout> Compute(
        IEnumerable<(string AccountId, Production Blocks, Production Chunks, Production Endorsements)> production,
        KickoutThresholds thresholds)
    {
        var kickouts = new List<Kickout>();
        foreach (var (account, blocks, chunks, endorsements) in production)
        {
            if (blocks.IsBelow(thresholds.BlockProducer))
            {
                kickouts.Add(new Kickout(account, KickoutKind.NotEnoughBlocks, blocks));
            }
            else if (chunks.IsBelow(thresholds.ChunkProducer))
            {
                kickouts.Add(new Kickout(account, KickoutKind.NotEnoughChunks, chunks));
            }
            else if (blocks.Expected == 0 && chunks.Expected == 0 && endorsements.IsBelow(thresholds.ChunkValidatorOnly))
            {
                kickouts.Add(new Kickout(account, KickoutKind.NotEnoughChunkEndorsements, endorsements));
            }
        }

        kickouts.Sort((a, b) => string.CompareOrdinal(a.AccountId, b.AccountId));
        return kickouts;
    }
}
